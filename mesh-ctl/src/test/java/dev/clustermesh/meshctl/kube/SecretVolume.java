package dev.clustermesh.meshctl.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A Secret or ConfigMap from a real API server, mounted the way the kubelet's atomic writer mounts one (a missing
 * object mounts empty, as an {@code optional: true} volume does): the files live in a
 * timestamped directory {@code ..<timestamp>}, {@code ..data} links to it, and each key is a link
 * {@code <key> -> ..data/<key>}. An update writes a new timestamped directory, swaps {@code ..data} with one rename,
 * fixes the key links and removes the old directory, so a reader sees the old set or the new set, never a mix.
 * A background sync re-reads the Secret every {@code period} (the kubelet's is about a minute; tests use less).
 */
final class SecretVolume implements AutoCloseable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.SSSSSSSSS");
    private final Supplier<Map<String, byte[]>> source;
    private final String secret;
    private final Path dir;
    private final ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "secret-volume");
        t.setDaemon(true);
        return t;
    });
    private Map<String, byte[]> mounted = Map.of();

    SecretVolume(KubernetesClient k, String namespace, String secret, Path dir, long periodMillis) {
        this(() -> {
            Secret s = k.secrets().inNamespace(namespace).withName(secret).get();
            Map<String, byte[]> data = new TreeMap<>();
            if (s != null && s.getData() != null) {
                s.getData().forEach((key, v) -> data.put(key, Base64.getDecoder().decode(v)));
            }
            return data;
        }, "Secret " + secret, dir, periodMillis);
    }

    /** A ConfigMap volume. */
    static SecretVolume configMap(KubernetesClient k, String namespace, String name, Path dir, long periodMillis) {
        return new SecretVolume(() -> {
            ConfigMap cm = k.configMaps().inNamespace(namespace).withName(name).get();
            Map<String, byte[]> data = new TreeMap<>();
            if (cm != null && cm.getData() != null) {
                cm.getData().forEach((key, v) -> data.put(key, v.getBytes(StandardCharsets.UTF_8)));
            }
            return data;
        }, "ConfigMap " + name, dir, periodMillis);
    }

    private SecretVolume(Supplier<Map<String, byte[]>> source, String what, Path dir, long periodMillis) {
        this.source = source;
        this.secret = what;
        this.dir = dir;
        sync();
        sync.scheduleWithFixedDelay(this::syncQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    Path dir() {
        return dir;
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            // The API server may be restarting in a test: the kubelet keeps the last content and retries too.
        }
    }

    /** Reads the object now and swaps the mounted content if it changed. */
    synchronized void sync() {
        Map<String, byte[]> data = source.get();
        if (sameAs(data)) {
            return;
        }
        try {
            write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("mounting " + secret + " at " + dir, e);
        }
        mounted = data;
    }

    private boolean sameAs(Map<String, byte[]> data) {
        if (!data.keySet().equals(mounted.keySet()) || Files.notExists(dir.resolve("..data"))) {
            return false;
        }
        return data.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(), mounted.get(e.getKey())));
    }

    private void write(Map<String, byte[]> data) throws IOException {
        Files.createDirectories(dir);
        String stamp = ".." + LocalDateTime.now().format(STAMP);
        Path fresh = Files.createDirectory(dir.resolve(stamp));
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            Path f = Files.write(fresh.resolve(e.getKey()), e.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        }
        Path old = Files.isSymbolicLink(dir.resolve("..data")) ? dir.resolve(Files.readSymbolicLink(dir.resolve("..data")))
                : null;
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(stamp));
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String key : data.keySet()) {
            Path link = dir.resolve(key);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", key));
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith("..") && !data.containsKey(name)) {
                    Files.delete(p);
                }
            }
        }
        if (old != null && !Objects.equals(old.getFileName().toString(), stamp)) {
            try (Stream<Path> files = Files.walk(old)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Override
    public void close() {
        sync.shutdownNow();
    }
}
