package dev.clustermesh.proxy.etcdapi;

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
 * {@code PERMISSION_DENIED}. The TLS layer has already rejected missing, expired and foreign certificates.
 * Reflection is open to every mesh identity, so {@code grpcurl} works with any mesh client certificate.
 */
@GlobalInterceptor
@ApplicationScoped
final class IdentityInterceptor implements ServerInterceptor {
    /** The caller of the current gRPC call. */
    static final Context.Key<ClientIdentity> IDENTITY = Context.key("mesh-client-identity");

    private final AccessPolicy policy;
    private final ApiMetrics metrics;

    IdentityInterceptor(ProxySettings settings, ApiMetrics metrics) {
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String cn = commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)).orElse(null);
        Optional<String> refusal = cn == null ? Optional.of("a client certificate with a CN is required")
                : policy.refusal(cn);
        if (refusal.isPresent()) {
            metrics.refused(call.getMethodDescriptor().getFullMethodName());
            StatusRuntimeException denied = ApiErrors.denied(refusal.get());
            call.close(denied.getStatus(), denied.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        ClientIdentity id = ClientIdentity.fromCommonName(cn).orElseThrow();
        return Contexts.interceptCall(Context.current().withValue(IDENTITY, id), call, headers, next);
    }

    private static Optional<String> commonName(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate x509)) {
                return Optional.empty();
            }
            for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return Optional.empty();
        }
    }
}
