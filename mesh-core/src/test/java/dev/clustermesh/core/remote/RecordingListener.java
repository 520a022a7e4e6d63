package dev.clustermesh.core.remote;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Node;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a {@link MeshListener} was told, as a user of the watcher would see it. */
final class RecordingListener implements MeshListener {
    final Map<String, ClusterService> services = new ConcurrentHashMap<>();
    final Map<String, Node> nodes = new ConcurrentHashMap<>();
    final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    final Map<String, ClusterConfig> configs = new ConcurrentHashMap<>();
    final Map<String, ClusterStatus> status = new ConcurrentHashMap<>();
    final List<String> invalid = new CopyOnWriteArrayList<>();
    final List<String> changes = new CopyOnWriteArrayList<>();

    @Override
    public void serviceChanged(String cluster, MeshKey.Service key, ClusterService value) {
        changes.add((value == null ? "-" : "+") + key.key());
        put(services, cluster + "/" + key.namespace() + "/" + key.name(), value);
    }

    @Override
    public void nodeChanged(String cluster, String node, Node value) {
        put(nodes, cluster + "/" + node, value);
    }

    @Override
    public void endpointChanged(String cluster, String ip, Endpoint value) {
        put(endpoints, cluster + "/" + ip, value);
    }

    @Override
    public void configChanged(String cluster, ClusterConfig value) {
        put(configs, cluster, value);
    }

    @Override
    public void statusChanged(ClusterStatus s) {
        status.put(s.name(), s);
    }

    @Override
    public void invalid(String cluster, String key, String reason) {
        invalid.add(key + ": " + reason);
    }

    private static <V> void put(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }
}
