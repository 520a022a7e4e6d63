/**
 * TLS material that follows its files on disk: PEM certificates and PKCS#8 keys read with the JDK alone
 * ({@link dev.clustermesh.core.tls.PemReader}), reloaded when their content changes without touching open
 * connections ({@link dev.clustermesh.core.tls.ReloadingTls}), and reported for expiry and rotation
 * ({@link dev.clustermesh.core.tls.MeshCertificate}).
 *
 * <p>Promises: a change that cannot be used (a file that does not parse, a key that is not its certificate's)
 * never replaces usable material; it is logged once per content and counted.
 */
package dev.clustermesh.core.tls;
