package org.emaillistener.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One of the service's applications, run from its jar as a process of its own on a loopback port;
 * read through its actuator metrics and, for the heap after a full GC, {@code jcmd}.
 */
final class ServiceProcess implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts the jar with these JVM options and application arguments (besides the port), its output
     * in {@code target/bench-<name>.log}.
     */
    static ServiceProcess start(String name, Path jar, int port, List<String> jvmOptions, List<String> arguments)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -DskipTests package first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        command.addAll(arguments);
        File log = new File("target", "bench-" + name + ".log");
        log.getParentFile().mkdirs();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        // Also when the benchmark itself is interrupted or killed with SIGTERM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        return new ServiceProcess(name, port, process);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    void awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see target/bench-" + name + ".log");
            }
            try {
                if (get("/actuator/health/liveness").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " did not start within " + timeout + "; see target/bench-" + name
                + ".log");
    }

    /** The value of a Micrometer meter, summed over its series; tags as {@code key:value}. */
    double metric(String meter, String... tags) throws IOException, InterruptedException {
        StringBuilder path = new StringBuilder("/actuator/metrics/").append(meter);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        HttpResponse<String> response = get(path.toString());
        if (response.statusCode() == 404) {
            return 0;
        }
        for (JsonNode measurement : JSON.readTree(response.body()).get("measurements")) {
            String statistic = measurement.get("statistic").asString();
            if (statistic.equals("VALUE") || statistic.equals("COUNT")) {
                return measurement.get("value").asDouble();
            }
        }
        return Double.NaN;
    }

    /** Heap in use right after a full GC, in bytes. */
    double heapAfterGc() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start();
        jcmd.getInputStream().readAllBytes();
        jcmd.waitFor();
        return metric("jvm.memory.used", "area:heap");
    }

    /** Live platform threads: virtual threads are not counted by the JVM's thread metrics. */
    double platformThreads() throws IOException, InterruptedException {
        return metric("jvm.threads.live");
    }

    double cpuSeconds() throws IOException, InterruptedException {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json; charset=utf-8")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
