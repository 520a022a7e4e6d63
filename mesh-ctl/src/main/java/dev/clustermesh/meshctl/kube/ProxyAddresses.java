package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.KubeNames;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Where a cluster's mesh-proxy can be reached from other clusters, read from its Service and its nodes. */
final class ProxyAddresses {
    private ProxyAddresses() {
    }

    /** Where other clusters reach this cluster's proxy, from its Service. */
    static String endpoint(String context, KubernetesClient k, String namespace, String flag) {
        Service s = call(context, () -> k.services().inNamespace(namespace).withName(KubeNames.PROXY_SERVICE).get());
        if (s == null) {
            throw new MeshCtlException("context " + context + " has no Service " + KubeNames.PROXY_SERVICE + " in "
                    + namespace + "; run 'meshctl clustermesh enable' there");
        }
        ServicePort port = s.getSpec().getPorts().stream()
                .filter(p -> p.getPort() != null && p.getPort() == KubeNames.PROXY_PORT).findFirst()
                .orElseThrow(() -> new MeshCtlException("context " + context + ": Service " + KubeNames.PROXY_SERVICE
                        + " has no port " + KubeNames.PROXY_PORT));
        String type = s.getSpec().getType() == null ? "ClusterIP" : s.getSpec().getType();
        if ("LoadBalancer".equals(type)) {
            List<String> ips = loadBalancerAddresses(s);
            if (ips.isEmpty()) {
                throw new MeshCtlException("context " + context + ": Service " + KubeNames.PROXY_SERVICE
                        + " has no load-balancer address yet; wait, or give the address with " + flag);
            }
            return "https://" + hostPort(ips.get(0), KubeNames.PROXY_PORT);
        }
        if ("NodePort".equals(type) && port.getNodePort() != null) {
            List<String> nodes = nodeAddresses(context, k);
            if (nodes.isEmpty()) {
                throw new MeshCtlException("context " + context + " lists no node with an InternalIP to reach the "
                        + "NodePort; give the address with " + flag);
            }
            return "https://" + hostPort(nodes.get(0), port.getNodePort());
        }
        throw new MeshCtlException("context " + context + ": Service " + KubeNames.PROXY_SERVICE + " is " + type
                + ", which other clusters cannot reach; enable with --service-type NodePort or LoadBalancer, or give "
                + "the address with " + flag);
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static List<String> loadBalancerAddresses(Service s) {
        List<String> out = new ArrayList<>();
        if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                && s.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
                if (i.getIp() != null) {
                    out.add(i.getIp());
                } else if (i.getHostname() != null) {
                    out.add(i.getHostname());
                }
            }
        }
        return out;
    }

    static List<String> nodeAddresses(String context, KubernetesClient k) {
        List<Node> nodes = new ArrayList<>(call(context, () -> k.nodes().list().getItems()));
        nodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.getStatus() == null || n.getStatus().getAddresses() == null) {
                continue;
            }
            for (NodeAddress a : n.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType()) && !out.contains(a.getAddress())) {
                    out.add(a.getAddress());
                }
            }
        }
        return out;
    }
}
