package org.emaillistener.bench;

import java.io.File;
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

import org.emaillistener.common.testing.CreatioRequests;

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
    /** Where its actuator answers ({@code management.server.port}), apart from Creatio's API. */
    private final int managementPort;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(String name, int port, int managementPort, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    /**
     * The JVM options of a benchmark's service process: {@code --service-heap} (default 2g), and with
     * {@code --jfr=<settings>} a flight recording to {@code target/bench-<name>.jfr}.
     */
    static List<String> jvmOptions(String name, Map<String, String> options) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.getOrDefault("service-heap", "2g")));
        if (options.containsKey("jfr")) {
            // Deep enough to see who calls into the nested-jar class loader or Jackson.
            jvm.add("-XX:FlightRecorderOptions:stackdepth=256");
            jvm.add("-XX:StartFlightRecording=filename=target/bench-" + name + ".jfr,settings="
                    + options.get("jfr"));
        }
        return jvm;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
        int managementPort = freePort();
        command.add("--management.server.port=" + managementPort);
        command.addAll(arguments);
        File log = new File("target", "bench-" + name + ".log");
        log.getParentFile().mkdirs();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        // Also when the benchmark itself is interrupted or killed with SIGTERM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        return new ServiceProcess(name, port, managementPort, process);
    }

    int port() {
        return port;
    }

    int managementPort() {
        return managementPort;
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

    /**
     * Heap after a full GC and live platform threads.
     *
     * @param heapBytes heap in use right after a full GC (the second of two, so what the first
     *        only marked is gone too)
     */
    record Footprint(double heapBytes, long platformThreads) {
    }

    Footprint footprint() throws IOException, InterruptedException {
        heapAfterGc();
        return new Footprint(heapAfterGc(), (long) platformThreads());
    }

    /** The footprint of the service just started, once it had 3 s to settle; said on the console too. */
    Footprint footprintAtStart() throws IOException, InterruptedException {
        Thread.sleep(3000);
        Footprint footprint = footprint();
        System.out.printf("Started; heap after GC %.1f MB, %d platform threads%n", footprint.heapBytes() / 1e6,
                footprint.platformThreads());
        return footprint;
    }

    /** The footprint once {@code syncer} has done the catch-up syncs of every connect, and 5 s more. */
    Footprint footprintWhenQuiet(ServiceProcess syncer) throws IOException, InterruptedException {
        syncer.awaitSyncQueueEmpty();
        Thread.sleep(5000);
        return footprint();
    }

    /**
     * Creatio's create calls of these mailboxes (each one {@code /api/listeners/create} element), 100
     * a call as Creatio sends them.
     */
    void create(List<String> mailboxes) throws IOException, InterruptedException {
        for (int first = 0; first < mailboxes.size(); first += 100) {
            List<String> batch = mailboxes.subList(first, Math.min(mailboxes.size(), first + 100));
            var response = post("/api/listeners/create", CreatioRequests.array(batch.toArray(String[]::new)));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("create answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    /** What else a wait for listening mailboxes waits for, with what to say of it meanwhile. */
    interface AlsoAwaited {

        AlsoAwaited NOTHING = new AlsoAwaited() {
            @Override
            public boolean done() {
                return true;
            }

            @Override
            public String progress() {
                return "";
            }
        };

        boolean done() throws Exception;

        String progress() throws Exception;
    }

    /**
     * Waits until {@code mailboxes} listen (the gauge {@code meter}, such as
     * {@code email.listener.subscriptions.listening}) and {@code also} is done, or {@code timeout}
     * after {@code startNanos}; says how far it got every 5 s.
     *
     * @return how many listened at the end
     */
    long awaitListening(String meter, int mailboxes, long startNanos, Duration timeout, AlsoAwaited also)
            throws Exception {
        long deadline = startNanos + timeout.toNanos();
        long lastReport = 0;
        double listening = 0;
        while (System.nanoTime() < deadline) {
            listening = metric(meter);
            if (listening >= mailboxes && also.done()) {
                break;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf("  %.0f s: %d listening%s%n", (lastReport - startNanos) / 1e9, (long) listening,
                        also.progress());
            }
            Thread.sleep(200);
        }
        return (long) listening;
    }

    /** Waits until the sync queue is empty (the catch-up jobs of all connects are done). */
    void awaitSyncQueueEmpty() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        int quiet = 0;
        // RabbitSyncJobs reads the depth from the broker at most every 5 s: quiet for longer than that.
        while (System.nanoTime() < deadline && quiet < 8) {
            double depth = metric("email.listener.sync.queue.depth");
            quiet = depth == 0 ? quiet + 1 : 0;
            Thread.sleep(1000);
        }
    }

    /** Heap in use right after a full GC, in bytes. */
    double heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        return metric("jvm.memory.used", "area:heap");
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return output;
    }

    /** How many objects of this class are live (after the full GC {@code GC.class_histogram} makes). */
    long liveObjects(String className) throws IOException, InterruptedException {
        String histogram = jcmd("GC.class_histogram");
        for (String line : histogram.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[3].equals(className)) {
                return Long.parseLong(columns[1]);
            }
        }
        return 0;
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

    /** On the management port for an actuator path, else on the API's. */
    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        int target = path.startsWith("/actuator") ? managementPort : port;
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + path))
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
