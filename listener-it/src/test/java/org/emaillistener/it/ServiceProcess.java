package org.emaillistener.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One listener process (primary or secondary) started from its executable jar, as an operator runs
 * it; it can be stopped with SIGTERM or killed outright.
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A process that stops answering fails the test rather than hanging it. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    final String name;
    final int port;
    /** Where its actuator answers ({@code management.server.port}): apart from Creatio's API. */
    final int managementPort;
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
     * Starts {@code module}'s jar on {@code port} with these JVM options and Spring arguments; returns
     * once it answers {@code readyPath}.
     */
    static ServiceProcess start(String name, String module, String readyPath, int port,
            Map<String, String> environment, List<String> jvmOptions, List<String> arguments)
            throws IOException, InterruptedException {
        Path jar = Path.of("..", module, "target", module + ".jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the module is packaged before these tests run");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        command.addAll(jvmOptions);
        int managementPort = freePort();
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
                "--management.server.port=" + managementPort));
        command.addAll(arguments);
        Path log = Path.of("target", "processes", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Should the test JVM end without closing it, the process ends with it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        ServiceProcess service = new ServiceProcess(name, port, managementPort, process, log);
        service.awaitAnswer(readyPath, Duration.ofSeconds(90));
        return service;
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook runs, no lease is released. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: the graceful shutdown an orchestrator asks for. */
    void terminate() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    boolean alive() {
        return process.isAlive();
    }

    private void awaitAnswer(String path, Duration timeout) throws InterruptedException {
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
            Thread.sleep(300);
        }
        throw new IllegalStateException(name + " did not answer " + path + " within " + timeout + "; see " + log);
    }

    /** The API's port, or the management port for an actuator path. */
    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + (path.startsWith("/actuator") ? managementPort : port) + path);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    File logFile() {
        return log.toFile();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
