package dev.clustermesh.agent.api;

import dev.clustermesh.agent.policy.PolicyBook;
import dev.clustermesh.agent.policy.PolicyExplanation;
import dev.clustermesh.agent.policy.PolicySnapshot;
import dev.clustermesh.core.policy.Decision;
import dev.clustermesh.core.policy.DirectionProgram;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyStatus;
import dev.clustermesh.core.policy.PolicyWarning;
import dev.clustermesh.core.policy.RuleRef;
import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import dev.clustermesh.proto.agent.v1.Policy;
import dev.clustermesh.proto.agent.v1.PolicyDecision;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Renders the agent's policy state (what {@link PolicyBook} last applied) as API messages. */
final class PolicyViews {
    private PolicyViews() {
    }

    static ListPoliciesResponse policies(String cluster, PolicyBook.State state) {
        ListPoliciesResponse.Builder out = ListPoliciesResponse.newBuilder().setCluster(cluster)
                .addAllProblems(state.problems()).setLastFailure(state.lastFailure().orElse(""))
                .setAppliedUnixMillis(state.appliedAt().map(Instant::toEpochMilli).orElse(0L));
        for (PolicyStatus s : state.policies().statuses()) {
            Policy.Builder p = Policy.newBuilder().setNamespace(s.ref().namespace()).setName(s.ref().name())
                    .setKind(s.ref().kind()).setState(s.state().name().toLowerCase(Locale.ROOT));
            for (PolicyWarning w : s.warnings()) {
                p.addWarnings(dev.clustermesh.proto.agent.v1.PolicyWarning.newBuilder().setPath(w.path())
                        .setReason(w.message()));
            }
            out.addPolicies(p);
        }
        return out.build();
    }

    /**
     * The local endpoints of the last program; labels come from the snapshot (the pod as it is now) and are left
     * empty when its address now belongs to another pod.
     */
    static ListPolicyEndpointsResponse endpoints(PolicyBook.State state, PolicySnapshot now, String namespace) {
        ListPolicyEndpointsResponse.Builder out = ListPolicyEndpointsResponse.newBuilder();
        List<EndpointProgram> sorted = state.program().endpoints().stream()
                .filter(e -> namespace.isEmpty() || namespace.equals(e.namespace()))
                .sorted(Comparator.comparing(EndpointProgram::namespace).thenComparing(EndpointProgram::pod)
                        .thenComparing(e -> e.ip().getHostAddress())).toList();
        for (EndpointProgram e : sorted) {
            DirectionProgram in = e.ingress();
            DirectionProgram eg = e.egress();
            var b = dev.clustermesh.proto.agent.v1.PolicyEndpoint.newBuilder().setNamespace(e.namespace())
                    .setPod(e.pod()).setIp(e.ip().getHostAddress()).setIdentity(e.identity())
                    .setIngressEnforced(in.enforced()).setEgressEnforced(eg.enforced())
                    .setIngressAllows(in.allows().size()).setIngressDenies(in.denies().size())
                    .setEgressAllows(eg.allows().size()).setEgressDenies(eg.denies().size());
            now.endpoint(e.ip()).filter(p -> p.cluster().equals(now.cluster()) && p.namespace().equals(e.namespace())
                    && p.pod().equals(e.pod())).ifPresent(p -> b.putAllLabels(p.labels()));
            out.addEndpoints(b);
        }
        return out.build();
    }

    static ExplainPolicyResponse explanation(PolicyExplanation x) {
        return ExplainPolicyResponse.newBuilder().setAllowed(x.verdict().allowed()).setComplete(x.complete())
                .setEgress(decision(x.source(), x.egressKnown(), x.verdict().egress()))
                .setIngress(decision(x.destination(), x.ingressKnown(), x.verdict().ingress()))
                .setSourceIp(x.source().ip().getHostAddress()).setDestinationIp(x.destination().ip().getHostAddress())
                .setSourceIdentity(x.source().identity()).setDestinationIdentity(x.destination().identity()).build();
    }

    private static PolicyDecision decision(PolicyEndpoint at, boolean known, Decision d) {
        PolicyDecision.Builder b = PolicyDecision.newBuilder().setCluster(at.cluster()).setKnown(known)
                .setAllowed(known && d.allowed()).setReason(d.reason());
        d.rule().ifPresent((RuleRef r) -> b.setPolicyKind(r.policy().kind()).setPolicyNamespace(r.policy().namespace())
                .setPolicyName(r.policy().name()).setRule(r.section() + "[" + r.index() + "]"));
        return b.build();
    }
}
