package dev.clustermesh.proxy.export;

import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Follows the mesh (every cluster of a clusters directory, as the agents do) to learn which services the other
 * clusters export with a ServiceExport and the other clusters' ClusterProperties (from their ClusterConfigs), and
 * records them in the exporter's inventory: what this cluster imports, and what its cluster selectors match.
 * The kind is marked synced once every configured cluster has synced or failed with a reason.
 */
final class MeshExports implements MeshFollower.Consumer {
    private static final Logger LOG = Logger.getLogger(MeshExports.class);
    private static final RemoteClusterOptions REMOTE = new RemoteClusterOptions(Duration.ofMinutes(5),
            Duration.ofSeconds(30), Duration.ofSeconds(30));

    private final MeshView view;
    private final String own;
    private final Inventory inventory;
    private final Worker worker;
    private volatile BooleanSupplier settled = () -> false;
    private boolean synced;
    private long seen = -1;

    private MeshExports(MeshView view, String own, Inventory inventory) {
        this.view = view;
        this.own = own;
        this.inventory = inventory;
        // Re-run at least every second until settled: settling is not a view change.
        this.worker = Worker.builder("mesh-export-mcs-imports", full -> update())
                .minInterval(Duration.ofMillis(50)).maxInterval(Duration.ofSeconds(1)).build();
    }

    /** A follower of the clusters in {@code dir} feeding {@code inventory}; started by the caller. */
    static MeshFollower<MeshExports> follower(Path dir, String own, Inventory inventory) {
        MeshFollower<MeshExports> f = new MeshFollower<>(new MeshFollower.Settings(dir, own, Duration.ofSeconds(2),
                REMOTE), new MeshFollower.Observer() {
                }, view -> new MeshExports(view, own, inventory));
        f.consumer().settled = f::settled;
        return f;
    }

    @Override
    public Worker worker() {
        return worker;
    }

    private void update() {
        long version = view.version();
        if (synced && version == seen) {
            return; // the once-a-second poll is for settling only
        }
        seen = version;
        List<ClusterService> exports = new ArrayList<>();
        view.services().values().forEach(l -> l.stream()
                .filter(cs -> cs.getMcsExported() && !cs.getCluster().equals(own)).forEach(exports::add));
        inventory.replaceMeshExports(exports);
        Map<String, Map<String, String>> properties = new TreeMap<>();
        view.configs().forEach((c, config) -> {
            if (!c.equals(own)) {
                properties.put(c, config.getPropertiesMap());
            }
        });
        inventory.replaceMeshProperties(properties);
        if (!synced && settled.getAsBoolean()) {
            synced = true;
            LOG.infof("mesh exports: every cluster synced or failed; %d services exported by other clusters",
                    exports.size());
            inventory.markSynced(SourceKind.MESH_EXPORTS);
        }
    }
}
