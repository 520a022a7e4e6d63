/**
 * Parsing of the global-service annotations on a Kubernetes Service, Cilium-compatible:
 * {@code service.cilium.io/global|shared|affinity} and the older {@code io.cilium/global-service|shared-service|service-affinity}.
 *
 * <p>Promises: parsing never fails and never drops a service. A bad value falls back to the default and
 * yields a named {@link dev.clustermesh.core.annotations.AnnotationWarning} that callers log and count.
 */
package dev.clustermesh.core.annotations;
