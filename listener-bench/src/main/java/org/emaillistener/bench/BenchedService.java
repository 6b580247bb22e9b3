package org.emaillistener.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.ServiceProcess;

/**
 * A service process a benchmark measures: its footprint (heap after a full GC, platform threads),
 * its mailboxes registered and listening, its sync queue drained.
 */
final class BenchedService implements AutoCloseable {

    private final ServiceProcess process;

    private BenchedService(ServiceProcess process) {
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

    /**
     * Starts the jar with these JVM options and application arguments (besides the ports), its output
     * in {@code target/bench-<name>.log}.
     */
    static BenchedService start(String name, Path jar, int port, List<String> jvmOptions, List<String> arguments)
            throws IOException {
        return new BenchedService(ServiceProcess.start(name, jar, port, Map.of(), jvmOptions, arguments,
                Path.of("target", "bench-" + name + ".log")));
    }

    void awaitStarted(Duration timeout) throws InterruptedException {
        process.awaitAnswer("/actuator/health/liveness", timeout);
    }

    /** The value of a Micrometer meter, summed over its series; tags as {@code key:value}. */
    double metric(String meter, String... tags) throws IOException, InterruptedException {
        return process.metric(meter, tags);
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
    Footprint footprintWhenQuiet(BenchedService syncer) throws IOException, InterruptedException {
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
        process.jcmd("GC.run");
        return metric("jvm.memory.used", "area:heap");
    }

    /** How many objects of this class are live (after the full GC {@code GC.class_histogram} makes). */
    long liveObjects(String className) throws IOException, InterruptedException {
        String histogram = process.jcmd("GC.class_histogram");
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

    /** Where its actuator (and, with a key, the operator console) answers, apart from Creatio's API. */
    int managementPort() {
        return process.managementPort();
    }

    double cpuSeconds() {
        return process.cpuSeconds();
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return process.post(path, body);
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
