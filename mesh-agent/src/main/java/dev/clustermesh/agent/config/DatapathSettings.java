package dev.clustermesh.agent.config;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.routes.RoutingMode;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.datapath.routes.TunnelOptions;
import dev.clustermesh.core.net.IpAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated datapath configuration.
 *
 * @param mode what to program
 * @param netns where to program
 * @param routing how to reach remote clusters' pods
 */
record DatapathSettings(DatapathMode mode, NetworkNamespace netns, RoutingOptions routing) {
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

    /**
     * Validates {@code c}.
     *
     * @throws IllegalArgumentException naming every bad property and why
     */
    static DatapathSettings from(AgentConfig.Datapath c) {
        List<String> errors = new ArrayList<>();
        DatapathSettings s = from(c, errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid mesh-agent configuration: " + String.join("; ", errors));
        }
        return s;
    }

    /**
     * Validates {@code c}, adding each problem, named by its property, to {@code errors}.
     *
     * @return the settings, or null when a problem was found
     */
    static DatapathSettings from(AgentConfig.Datapath c, List<String> errors) {
        int before = errors.size();
        Optional<DatapathMode> mode = DatapathMode.parse(c.mode());
        if (mode.isEmpty()) {
            errors.add("mesh.datapath.mode: '" + c.mode() + "' is not one of " + DatapathMode.names());
        }
        Optional<String> ns = c.netns().map(String::trim).filter(n -> !n.isEmpty());
        ns.filter(n -> !NETNS.matcher(n).matches()).ifPresent(n -> errors.add("mesh.datapath.netns: '" + n
                + "' is not a network namespace name (letters, digits, '_', '.', '-'; at most 64)"));
        Optional<RoutingMode> routing = RoutingMode.parse(c.routing().mode());
        if (routing.isEmpty()) {
            errors.add("mesh.datapath.routing.mode: '" + c.routing().mode() + "' is not one of native, tunnel, none");
        }
        Optional<TunnelOptions> tunnel = routing.filter(m -> m == RoutingMode.TUNNEL)
                .flatMap(m -> tunnel(c.routing().tunnel(), errors));
        if (errors.size() > before) {
            return null;
        }
        NetworkNamespace netns = ns.map(NetworkNamespace::named).orElseGet(NetworkNamespace::host);
        return new DatapathSettings(mode.get(), netns, new RoutingOptions(routing.get(), tunnel));
    }

    private static Optional<TunnelOptions> tunnel(AgentConfig.Tunnel t, List<String> errors) {
        String p = "mesh.datapath.routing.tunnel.";
        int before = errors.size();
        if (!DEVICE.matcher(t.device()).matches()) {
            errors.add(p + "device: '" + t.device() + "' is not a device name (at most 15 characters)");
        }
        if (t.vni() < 1 || t.vni() > 16_777_215) {
            errors.add(p + "vni: " + t.vni() + " is outside 1..16777215");
        }
        if (t.port() < 1 || t.port() > 65_535) {
            errors.add(p + "port: " + t.port() + " is outside 1..65535");
        }
        if (t.mtu() < 576 || t.mtu() > 65_535) {
            errors.add(p + "mtu: " + t.mtu() + " is outside 576..65535");
        }
        String local = t.localIp().map(String::trim).orElse("");
        if (!IpAddresses.isLiteral(local)) {
            errors.add(p + "local-ip: " + (local.isEmpty() ? "required in tunnel mode (this node's underlay address)"
                    : "'" + local + "' is not an IP address"));
        }
        return errors.size() > before ? Optional.empty()
                : Optional.of(new TunnelOptions(t.device(), t.vni(), t.port(), local, t.mtu()));
    }
}
