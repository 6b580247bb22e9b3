package org.emaillistener.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One of the service's applications run from its executable jar as a process of its own on a
 * loopback port, as an operator runs it: the integration tests' replicas and the benchmarks' services.
 * It answers Creatio's API on its port and its actuator on a management port of its own; it can be
 * stopped with SIGTERM or killed outright, and read through its metrics and {@code jcmd}.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the jar with these JVM options, environment and application arguments (besides the
     * ports), its output appended to {@code log}; returns at once, before it answers.
     */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> environment,
            List<String> jvmOptions, List<String> arguments, Path log) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: its module is packaged first (./mvnw -DskipTests package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        int managementPort = freePort();
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
                "--management.server.port=" + managementPort));
        command.addAll(arguments);
        Path absoluteLog = log.toAbsolutePath();
        Files.createDirectories(absoluteLog.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(absoluteLog.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Also when the JVM that started it ends without closing it, or is stopped with SIGTERM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        return new ServiceProcess(name, port, managementPort, process, absoluteLog);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String name() {
        return name;
    }

    /** Where Creatio's API answers. */
    public int port() {
        return port;
    }

    /** Where its actuator answers ({@code management.server.port}), apart from Creatio's API. */
    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return log;
    }

    /** Waits until {@code path} answers 200; fails when the process ends first or the time is up. */
    public void awaitAnswer(String path, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (get(path).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " did not answer " + path + " within " + timeout + "; see " + log);
    }

    /** A JSON POST; a process that stops answering fails the caller rather than hanging it. */
    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of a Micrometer meter, summed over its series (0 when it has none); tags as {@code key:value}. */
    public double metric(String meter, String... tags) throws IOException, InterruptedException {
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

    /** A {@code jcmd} command on the process ({@code GC.run}, {@code GC.class_histogram}); its output. */
    public String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return output;
    }

    public double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    /** SIGKILL: no shutdown hook runs, no lease is released. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: the graceful shutdown an orchestrator asks for. */
    public void terminate() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The API's port, or the management port for an actuator path. */
    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + (path.startsWith("/actuator") ? managementPort : port) + path);
    }

    /**
     * SIGTERM, and SIGKILL if it has not ended within 30 s: a graceful end writes what ends with the
     * JVM (a flight recording), a hung one does not hold the caller.
     */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
