package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.tls.Issued;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Clients without a valid mesh certificate never get an answer. */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class TlsRefusalIT {

    @Test
    void aValidLocalCertificateIsAccepted() {
        Command.Result ok = ProxyClients.etcdctl(env().local()).run("get", "mesh/v1/config/cluster1");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
    }

    @Test
    void noCertificateIsRefused() {
        Etcdctl noCert = new Etcdctl(env().apiEndpoint(), List.of("--cacert=" + env().ca().certPem()));
        assertRefused(noCert.run("get", "mesh/v1/config/cluster1"));
    }

    @Test
    void anExpiredCertificateIsRefused() {
        assertRefused(ProxyClients.etcdctl(env().expired()).run("get", "mesh/v1/config/cluster1"));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        assertRefused(ProxyClients.etcdctl(env().foreign()).run("get", "mesh/v1/config/cluster1"));
    }

    @Test
    void anUnknownCommonNameIsRefused() {
        Issued unknown = env().unknown();
        Command.Result r = ProxyClients.etcdctl(unknown).run("get", "mesh/v1/config/cluster1");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("permission denied");
    }

    @Test
    void plainHttpIsRefused() {
        Etcdctl plain = new Etcdctl(env().apiEndpoint().replace("https://", "http://"));
        assertRefused(plain.run("get", "mesh/v1/config/cluster1"));
    }

    private static void assertRefused(Command.Result r) {
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).doesNotContain("mesh/v1/config/cluster1\n");
    }

    private static ProxyTestEnvironment env() {
        return ProxyTestEnvironment.current();
    }
}
