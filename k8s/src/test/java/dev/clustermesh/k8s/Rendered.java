package dev.clustermesh.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The objects one kustomization renders to, with look-ups that fail with the overlay's name.
 *
 * @param dir the kustomization directory
 * @param objects every object, in kustomize's order
 */
record Rendered(Path dir, List<HasMetadata> objects) {

    Rendered {
        objects = List.copyOf(objects);
    }

    String name() {
        return dir.getFileName().toString();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one object of {@code type} called {@code name}, or an {@link AssertionError}. */
    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        if (found.size() != 1) {
            throw new AssertionError(name() + ": expected one " + type.getSimpleName() + " " + name + ", found "
                    + found.size());
        }
        return found.get(0);
    }

    /** The pod template of the Deployment, DaemonSet or StatefulSet called {@code name}. */
    PodTemplateSpec podTemplate(String name) {
        List<PodTemplateSpec> found = objects.stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .map(Rendered::templateOf).flatMap(Optional::stream).toList();
        if (found.size() != 1) {
            throw new AssertionError(name() + ": expected one workload " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The container called {@code name} in workload {@code name} (every mesh workload has one such container). */
    Container container(String name) {
        return podTemplate(name).getSpec().getContainers().stream()
                .filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(name() + ": workload " + name + " has no container " + name));
    }

    /** The container's environment: its {@code env} values over its {@code envFrom} ConfigMaps, as Kubernetes does. */
    Map<String, String> environment(Container c) {
        Map<String, String> env = new TreeMap<>();
        c.getEnvFrom().forEach(from -> {
            if (from.getConfigMapRef() != null) {
                env.putAll(one(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
        });
        for (EnvVar v : c.getEnv()) {
            env.put(v.getName(), v.getValue() != null ? v.getValue() : "<from " + fieldRef(v) + ">");
        }
        return env;
    }

    private static String fieldRef(EnvVar v) {
        return v.getValueFrom() != null && v.getValueFrom().getFieldRef() != null
                ? v.getValueFrom().getFieldRef().getFieldPath() : "elsewhere";
    }

    private static Optional<PodTemplateSpec> templateOf(HasMetadata o) {
        if (o instanceof Deployment d) {
            return Optional.of(d.getSpec().getTemplate());
        }
        if (o instanceof DaemonSet d) {
            return Optional.of(d.getSpec().getTemplate());
        }
        if (o instanceof StatefulSet s) {
            return Optional.of(s.getSpec().getTemplate());
        }
        return Optional.empty();
    }
}
