/**
 * Checks of the deployment files: every kustomize overlay under {@code k8s/overlays} is rendered with the real
 * {@code kubectl kustomize} and read back as typed Kubernetes objects ({@link dev.clustermesh.k8s.Kustomize},
 * {@link dev.clustermesh.k8s.Rendered}); the Dockerfiles under {@code docker/} are checked against the layout
 * the Maven build produces. A missing {@code kubectl} fails with the command that installs it.
 */
package dev.clustermesh.k8s;
