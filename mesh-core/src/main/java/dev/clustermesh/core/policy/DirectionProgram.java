package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What one local endpoint enforces in one direction. The order of evaluation a datapath must keep: any matching
 * deny entry drops; else, when not enforced, accept; else any matching allow entry accepts; else drop.
 *
 * @param enforced whether some policy isolates the endpoint in this direction (default deny)
 * @param allows the allow entries
 * @param denies the deny entries, which apply even when not enforced
 */
public record DirectionProgram(boolean enforced, List<ProgramEntry> allows, List<ProgramEntry> denies) {
    public DirectionProgram {
        allows = List.copyOf(allows);
        denies = List.copyOf(denies);
    }

    /**
     * Decides a packet whose peer has {@code identity} and {@code address}, as a datapath following this program
     * would; the reference a renderer can be tested against.
     *
     * @return the deciding entry when one decided, and whether the packet is allowed
     */
    public Result decide(int identity, InetAddress address, Protocol protocol, int port) {
        Optional<ProgramEntry> deny = first(denies, identity, address, protocol, port);
        if (deny.isPresent()) {
            return new Result(false, deny);
        }
        if (!enforced) {
            return new Result(true, Optional.empty());
        }
        Optional<ProgramEntry> allow = first(allows, identity, address, protocol, port);
        return new Result(allow.isPresent(), allow);
    }

    private static Optional<ProgramEntry> first(List<ProgramEntry> entries, int identity, InetAddress address,
                                                Protocol protocol, int port) {
        return entries.stream()
                .filter(e -> e.port().matches(protocol, port) && e.peer().matches(identity, address)).findFirst();
    }

    /** A decision of the program, with the entry that made it (empty for "not enforced" and default deny). */
    public record Result(boolean allowed, Optional<ProgramEntry> entry) {
    }
}
