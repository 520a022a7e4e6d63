package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.access.AccessListFile;
import dev.clustermesh.proxy.access.Fingerprint;
import dev.clustermesh.proxy.access.Refusal;
import dev.clustermesh.proxy.config.ProxySettings;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns the verified client certificate into a {@link ClientIdentity} for the call, or refuses the call with
 * {@code PERMISSION_DENIED}: a CN that is no mesh identity, another cluster's local identity, or a remote
 * cluster the {@linkplain AccessListFile access list} does not let in (each counted by identity and reason in
 * {@code mesh_proxy_refused_clients}). The TLS layer has already rejected missing, expired and foreign
 * certificates.
 * Reflection is open to every mesh identity, so {@code grpcurl} works with any mesh client certificate.
 */
@GlobalInterceptor
@ApplicationScoped
final class IdentityInterceptor implements ServerInterceptor {
    /** The caller of the current gRPC call. */
    static final Context.Key<ClientIdentity> IDENTITY = Context.key("mesh-client-identity");
    /** The serial and key hash of the caller's certificate, for the access list's pins. */
    static final Context.Key<Fingerprint> FINGERPRINT = Context.key("mesh-client-fingerprint");

    private final AccessPolicy policy;
    private final AccessListFile access;
    private final ApiMetrics metrics;

    IdentityInterceptor(ProxySettings settings, AccessListFile access, ApiMetrics metrics) {
        this.policy = new AccessPolicy(settings.cluster().name());
        this.access = access;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Optional<X509Certificate> cert = peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        String cn = cert.flatMap(IdentityInterceptor::commonName).orElse(null);
        Fingerprint fp = cert.map(Fingerprint::of).orElse(Fingerprint.NONE);
        Optional<Refusal> refusal = cn == null
                ? Optional.of(new Refusal(Refusal.NO_CERTIFICATE, "a client certificate with a CN is required"))
                : policy.refusal(cn, fp, access.current());
        if (refusal.isPresent()) {
            String who = cn != null && ClientIdentity.fromCommonName(cn).isPresent() ? cn : "not-a-mesh-identity";
            metrics.refused(call.getMethodDescriptor().getBareMethodName(), who, refusal.get().reason());
            StatusRuntimeException denied = ApiErrors.denied(refusal.get().message());
            call.close(denied.getStatus(), denied.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        ClientIdentity id = ClientIdentity.fromCommonName(cn).orElseThrow();
        return Contexts.interceptCall(Context.current().withValue(IDENTITY, id).withValue(FINGERPRINT, fp), call,
                headers, next);
    }

    private static Optional<X509Certificate> peer(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> commonName(X509Certificate x509) {
        try {
            for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
