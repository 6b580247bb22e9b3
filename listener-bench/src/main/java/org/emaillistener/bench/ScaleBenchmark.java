package org.emaillistener.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import tools.jackson.databind.JsonNode;

/**
 * The issue-8 figures of one primary replica: N mailboxes held in IMAP IDLE against a real Dovecot,
 * with the service as its own process(es) and Creatio's stand-in answering at once.
 *
 * <ol>
 * <li>start Dovecot with N users, the stand-in and the service (standalone, or primary + secondary
 * on Redis and RabbitMQ with {@code --deployment=split}); heap and threads before any mailbox;</li>
 * <li>{@code create} the N mailboxes (batches of 100, as Creatio does) and time until all listen
 * ({@code email_listener_subscriptions_listening}); Dovecot's log shows whether a login was refused;</li>
 * <li>when the catch-up jobs are done: heap after a full GC and live platform threads of the primary;</li>
 * <li>latency: mail appended over LMTP at {@code --rate} per second, spread over
 * {@code --latency-mailboxes}, until Creatio's stand-in receives it ({@code --runs} runs of
 * {@code --latency-seconds}; the median of the runs' percentiles);</li>
 * <li>throughput: {@code --throughput-messages} messages of {@code --message-kb} KB appended at once
 * to {@code --throughput-mailboxes}, delivered per second from the first to the last arrival;</li>
 * <li>MIME → Creatio JSON conversion: the JMH benchmark {@link EmailConverterBenchmark}, forked.</li>
 * </ol>
 * Prints one table: each figure, its target, what was measured, pass or fail.
 */
final class ScaleBenchmark {

    private static final String PRIMARY_JAR = "listener-primary/target/listener-primary.jar";
    private static final String SECONDARY_JAR = "listener-secondary/target/listener-secondary.jar";
    private static final String STANDALONE_JAR = "listener-standalone/target/listener-standalone.jar";

    private final Map<String, String> options;
    private final int mailboxes;
    private final boolean split;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final AtomicInteger sequences = new AtomicInteger();
    private final Map<Integer, Long> appendedAt = new ConcurrentHashMap<>();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    private ScaleBenchmark(Map<String, String> options) {
        this.options = options;
        this.mailboxes = integer("mailboxes", 10_000);
        this.split = "split".equals(options.getOrDefault("deployment", "standalone"));
    }

    /** One row of the table. */
    record Figure(String name, String target, String measured, boolean pass) {
    }

    static void main(Map<String, String> options) throws Exception {
        new ScaleBenchmark(options).run();
    }

    private void run() throws Exception {
        ServiceProcess primary = null;
        ServiceProcess secondary = null;
        try (Dovecot dovecot = Dovecot.start(mailboxes + 1, freePort(), freePort());
                CreatioStandIn creatio = new CreatioStandIn()) {
            if (split) {
                primary = ServiceProcess.start("primary", Path.of(PRIMARY_JAR), freePort(), jvmOptions("primary"),
                        serviceArguments(true));
                secondary = ServiceProcess.start("secondary", Path.of(SECONDARY_JAR), freePort(),
                        jvmOptions("secondary"), serviceArguments(false));
                secondary.awaitStarted(Duration.ofSeconds(120));
            } else {
                primary = ServiceProcess.start("standalone", Path.of(STANDALONE_JAR), freePort(),
                        jvmOptions("standalone"), serviceArguments(true));
            }
            primary.awaitStarted(Duration.ofSeconds(120));
            ServiceProcess syncer = split ? secondary : primary;
            Thread.sleep(3000);
            double heapBefore = primary.heapAfterGc();
            double threadsBefore = primary.platformThreads();
            System.out.printf("Started; heap after GC %.1f MB, %d platform threads%n", heapBefore / 1e6,
                    (long) threadsBefore);

            register(dovecot, primary, creatio);
            awaitQuiet(syncer);
            Thread.sleep(5000);
            primary.heapAfterGc();
            double heap = primary.heapAfterGc();
            double threads = primary.platformThreads();
            double perMailbox = (heap - heapBefore) / mailboxes;
            figures.add(new Figure("heap per held mailbox (after GC)", "<= 50 KB",
                    String.format(Locale.ROOT, "%.1f KB (%.0f MB in all, %.0f MB before)", perMailbox / 1024,
                            heap / 1024 / 1024, heapBefore / 1024 / 1024),
                    perMailbox <= 50 * 1024 && heap <= 512 * 1024 * 1024));
            figures.add(new Figure("platform threads of the primary", "<= 100",
                    String.format(Locale.ROOT, "%d (%d before)", (long) threads, (long) threadsBefore),
                    threads <= 100));

            latency(dovecot, creatio);
            throughput(dovecot, creatio, syncer);
            notes.add(String.format(Locale.ROOT, "CPU used: %s %.0f s%s", split ? "primary" : "standalone",
                    primary.cpuSeconds(), split ? String.format(Locale.ROOT, ", secondary %.0f s",
                            secondary.cpuSeconds()) : ""));
            notes.add("Dovecot complaints: " + dovecot.complaints());
        } finally {
            if (secondary != null) {
                secondary.close();
            }
            if (primary != null) {
                primary.close();
            }
            if (split) {
                cleanUpRedisAndRabbitMq();
            }
        }
        if (!"false".equals(options.get("jmh"))) {
            conversion();
        }
        print();
    }

    private List<String> jvmOptions(String name) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.getOrDefault("service-heap", "2g")));
        if (options.containsKey("jfr")) {
            // Deep enough to see who calls into the nested-jar class loader or Jackson.
            jvm.add("-XX:FlightRecorderOptions:stackdepth=256");
            jvm.add("-XX:StartFlightRecording=filename=target/bench-" + name + ".jfr,settings="
                    + options.get("jfr"));
        }
        return jvm;
    }

    private List<String> serviceArguments(boolean primaryRole) {
        List<String> arguments = new ArrayList<>();
        arguments.add("--listener.primary.capacity=" + Math.max(mailboxes, 1));
        arguments.add("--listener.callbacks.allowed-hosts=127.0.0.1");
        if (options.containsKey("logins-per-second")) {
            arguments.add("--listener.imap.logins-per-second=" + options.get("logins-per-second"));
        }
        if (split) {
            String prefix = "bench-" + runId;
            arguments.addAll(List.of("--listener.redis.key-prefix=" + prefix + ":",
                    "--listener.security.allow-plaintext-credentials=true",
                    "--listener.rabbitmq.exchange=" + prefix,
                    "--listener.rabbitmq.queue=" + prefix + ".sync",
                    "--listener.rabbitmq.dead-letter-queue=" + prefix + ".sync.dead",
                    "--listener.primary.replica-id=" + prefix + "-primary"));
        }
        return arguments;
    }

    /** Creatio's create calls, 100 mailboxes each; then the time until all of them listen. */
    private void register(Dovecot dovecot, ServiceProcess primary, CreatioStandIn creatio) throws Exception {
        long start = System.nanoTime();
        for (int first = 0; first < mailboxes; first += 100) {
            List<String> batch = new ArrayList<>();
            for (int i = first; i < Math.min(mailboxes, first + 100); i++) {
                batch.add(CreatioRequests.imapMailbox(mailboxId(i), "127.0.0.1", dovecot.imapPort(),
                        Dovecot.user(i), Dovecot.PASSWORD, creatio.bpmEndpoint(), List.of()));
            }
            var response = primary.post("/api/listeners/create", CreatioRequests.array(batch.toArray(String[]::new)));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("create answered " + response.statusCode() + ": " + response.body());
            }
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        long deadline = start + Duration.ofSeconds(integer("listen-timeout-seconds", 300)).toNanos();
        double listening = 0;
        long lastReport = 0;
        while (System.nanoTime() < deadline) {
            listening = primary.metric("email.listener.subscriptions.listening");
            if (listening >= mailboxes) {
                break;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf("  %.0f s: %d listening%n", (lastReport - start) / 1e9, (long) listening);
            }
            Thread.sleep(200);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double failedLogins = primary.metric("email.listener.reconnects");
        figures.add(new Figure("IMAP IDLE mailboxes held by one primary", ">= 10000",
                String.valueOf((long) listening), listening >= 10_000));
        figures.add(new Figure("create calls -> all listening", "<= 60 s",
                String.format(Locale.ROOT, "%.1f s (creates took %.1f s; %d failed connects)", seconds,
                        createSeconds, (long) failedLogins),
                listening >= mailboxes && seconds <= 60 && failedLogins == 0));
        notes.add(String.format(Locale.ROOT, "Logins Dovecot logged: %d", dovecot.loginsLogged()));
    }

    /** Waits until the sync queue is empty (the catch-up jobs of all connects are done). */
    private void awaitQuiet(ServiceProcess syncer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        int quiet = 0;
        // RabbitSyncJobs reads the depth from the broker at most every 5 s: quiet for longer than that.
        while (System.nanoTime() < deadline && quiet < 8) {
            double depth = syncer.metric("email.listener.sync.queue.depth");
            quiet = depth == 0 ? quiet + 1 : 0;
            Thread.sleep(1000);
        }
    }

    private void latency(Dovecot dovecot, CreatioStandIn creatio) throws Exception {
        int rate = integer("rate", 100);
        int seconds = integer("latency-seconds", 20);
        int spread = Math.min(mailboxes, integer("latency-mailboxes", 1000));
        int runs = integer("runs", 3);
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        long lost = 0;
        // A short warm-up (JIT, connection pools) that is not measured.
        send(dovecot, Math.min(rate * 3, 300), rate, spread, 2_000);
        awaitDeliveries(creatio, Duration.ofSeconds(30));
        for (int run = 0; run < runs; run++) {
            List<Integer> sent = send(dovecot, rate * seconds, rate, spread, 2_000);
            awaitDeliveries(creatio, Duration.ofSeconds(30));
            List<Double> latencies = latencies(creatio, sent);
            lost += sent.size() - latencies.size();
            p50s.add(percentile(latencies, 50));
            p99s.add(percentile(latencies, 99));
            System.out.printf("  latency run %d: %d mails, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", run + 1,
                    latencies.size(), percentile(latencies, 50), percentile(latencies, 99),
                    latencies.isEmpty() ? Double.NaN : latencies.getLast());
        }
        Collections.sort(p50s);
        Collections.sort(p99s);
        double p50 = p50s.get(p50s.size() / 2);
        double p99 = p99s.get(p99s.size() / 2);
        String load = String.format(Locale.ROOT, "%d mails/s over %d mailboxes", rate, spread);
        // Dovecot announces new mail 500 ms after it sees it (NOTIFY_DELAY_MSECS in its mailbox-watch.c).
        double announcement = dovecot.idleAnnouncementMillis(Dovecot.user(mailboxes), 10);
        figures.add(new Figure("Dovecot's own IDLE announcement (append -> EXISTS)", "-",
                String.format(Locale.ROOT, "%.1f ms (median of 10, its own client)", announcement), true));
        figures.add(new Figure("latency append -> Creatio, p50 (" + load + ")", "<= 100 ms",
                String.format(Locale.ROOT, "%.1f ms (median of %d runs of %d s; runs %s)", p50, runs, seconds,
                        rounded(p50s)), p50 <= 100 && lost == 0));
        figures.add(new Figure("latency append -> Creatio, p99", "<= 500 ms",
                String.format(Locale.ROOT, "%.1f ms (runs %s; %d lost)", p99, rounded(p99s), lost),
                p99 <= 500 && lost == 0));
        figures.add(new Figure("  the listener's share (latency - announcement), p50", "<= 100 ms",
                String.format(Locale.ROOT, "%.1f ms", p50 - announcement), p50 - announcement <= 100 && lost == 0));
        figures.add(new Figure("  the listener's share (latency - announcement), p99", "<= 500 ms",
                String.format(Locale.ROOT, "%.1f ms", p99 - announcement), p99 - announcement <= 500 && lost == 0));
    }

    private void throughput(Dovecot dovecot, CreatioStandIn creatio, ServiceProcess syncer) throws Exception {
        int messages = integer("throughput-messages", 3000);
        int size = integer("message-kb", 20) * 1024;
        int spread = Math.min(mailboxes, integer("throughput-mailboxes", 100));
        long start = System.nanoTime();
        List<Integer> sent = send(dovecot, messages, 0, spread, size);
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        awaitDeliveries(creatio, Duration.ofSeconds(120));
        List<Long> received = new ArrayList<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            for (JsonNode email : call.body().get("Emails")) {
                int sequence = sequence(email);
                if (call.status() / 100 == 2 && sequence >= sent.getFirst() && sequence <= sent.getLast()) {
                    received.add(call.receivedAtNanos());
                }
            }
        }
        Collections.sort(received);
        double perSecond = received.size() < 2 ? 0
                : (received.size() - 1) / ((received.getLast() - received.getFirst()) / 1e9);
        double appendedPerSecond = messages / sendSeconds;
        figures.add(new Figure(String.format(Locale.ROOT, "emails/s delivered by one secondary (%d KB, %d mailboxes)",
                size / 1024, spread), ">= 300", String.format(Locale.ROOT,
                        "%.0f /s (%d of %d delivered; appended at %.0f /s)", perSecond, received.size(), messages,
                        appendedPerSecond), perSecond >= 300 && received.size() == messages));
        notes.add(String.format(Locale.ROOT, "Sync jobs consumed: %.0f", syncer.metric("email.listener.sync.jobs.consumed")));
    }

    /**
     * Appends {@code count} messages over LMTP, spread round-robin over the first {@code spread}
     * mailboxes, at {@code rate} per second (0: as fast as Dovecot takes them), from 8 connections;
     * notes when each was stored.
     */
    private List<Integer> send(Dovecot dovecot, int count, int rate, int spread, int size) throws Exception {
        BlockingQueue<int[]> work = new LinkedBlockingQueue<>();
        List<Integer> sent = new ArrayList<>();
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            done.add(senders.submit(() -> {
                try (Dovecot.Lmtp lmtp = dovecot.lmtp()) {
                    while (true) {
                        int[] next = work.take();
                        if (next[0] < 0) {
                            return null;
                        }
                        byte[] message = BenchMessages.message(next[0], Dovecot.user(next[1]), size);
                        lmtp.deliver(Dovecot.user(next[1]), message);
                        appendedAt.put(next[0], System.nanoTime());
                    }
                }
            }));
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            int sequence = sequences.getAndIncrement();
            sent.add(sequence);
            work.add(new int[] { sequence, sequence % spread });
        }
        for (int s = 0; s < 8; s++) {
            work.add(new int[] { -1, -1 });
        }
        for (var future : done) {
            future.get();
        }
        senders.close();
        return sent;
    }

    private void awaitDeliveries(CreatioStandIn creatio, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && creatio.acceptedEmails().size() < sequences.get()) {
            Thread.sleep(100);
        }
    }

    private List<Double> latencies(CreatioStandIn creatio, List<Integer> sent) {
        Map<Integer, Long> firstReceived = new ConcurrentHashMap<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            if (call.status() / 100 == 2) {
                for (JsonNode email : call.body().get("Emails")) {
                    firstReceived.merge(sequence(email), call.receivedAtNanos(), Math::min);
                }
            }
        }
        List<Double> latencies = new ArrayList<>();
        for (int sequence : sent) {
            Long received = firstReceived.get(sequence);
            Long appended = appendedAt.get(sequence);
            if (received != null && appended != null) {
                latencies.add((received - appended) / 1e6);
            }
        }
        latencies.sort(Double::compare);
        return latencies;
    }

    private static int sequence(JsonNode email) {
        for (JsonNode header : email.get("Headers")) {
            String value = header.asString();
            if (value.startsWith(BenchMessages.SEQUENCE_HEADER + "=")) {
                return Integer.parseInt(value.substring(BenchMessages.SEQUENCE_HEADER.length() + 1).trim());
            }
        }
        return -1;
    }

    /** The JMH conversion benchmark, forked with the module's class path; its MB/s per message shape. */
    private void conversion() throws Exception {
        Path classpath = Path.of("listener-bench/target/bench-classpath.txt");
        if (!Files.isRegularFile(classpath)) {
            notes.add("MIME -> JSON: skipped, " + classpath + " is missing (./mvnw -DskipTests package)");
            return;
        }
        Path result = Path.of("target/jmh-result.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jmh = new ProcessBuilder(java, "-cp",
                "listener-bench/target/classes" + File.pathSeparator + Files.readString(classpath).trim(),
                "org.openjdk.jmh.Main", EmailConverterBenchmark.class.getSimpleName(), "-f", "1", "-wi", "3", "-w", "2s",
                "-i", "5", "-r", "2s", "-rf", "json", "-rff", result.toString())
                .inheritIO().start();
        if (jmh.waitFor() != 0) {
            notes.add("MIME -> JSON: the JMH run failed");
            return;
        }
        for (JsonNode benchmark : tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(Files.readString(result))) {
            String shape = benchmark.get("params").get("size").asString();
            double opsPerSecond = benchmark.get("primaryMetric").get("score").asDouble();
            double megabytes = opsPerSecond * EmailConverterBenchmark.bytesOf(shape) / 1e6;
            String method = benchmark.get("benchmark").asString();
            method = method.substring(method.lastIndexOf('.') + 1);
            figures.add(new Figure("MIME -> Creatio JSON, one core (" + method + ", " + shape + ")", ">= 200 MB/s",
                    String.format(Locale.ROOT, "%.0f MB/s (%.0f msgs/s)", megabytes, opsPerSecond), megabytes >= 200));
        }
    }

    private void print() {
        System.out.printf("%nIssue 8: one primary replica, %d mailboxes, Dovecot %s, %s, %d cores, loopback%n",
                mailboxes, "(own instance)", split ? "primary + secondary on Redis and RabbitMQ" : "standalone",
                Runtime.getRuntime().availableProcessors());
        int width = figures.stream().mapToInt(f -> f.name().length()).max().orElse(10);
        int measuredWidth = figures.stream().mapToInt(f -> f.measured().length()).max().orElse(10);
        String format = "| %-" + width + "s | %-12s | %-" + measuredWidth + "s | %-4s |%n";
        System.out.printf(format, "figure", "target", "measured", "");
        System.out.printf(format, "-".repeat(width), "-".repeat(12), "-".repeat(measuredWidth), "----");
        for (Figure figure : figures) {
            System.out.printf(format, figure.name(), figure.target(), figure.measured(), figure.pass() ? "pass" : "FAIL");
        }
        notes.forEach(note -> System.out.println("  " + note));
    }

    private void cleanUpRedisAndRabbitMq() {
        String prefix = "bench-" + runId;
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        try (var connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var scan = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                if (!scan.getKeys().isEmpty()) {
                    redis.unlink(scan.getKeys().toArray(String[]::new));
                }
                cursor = scan;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
        try {
            for (String queue : List.of(prefix + ".sync", prefix + ".sync.dead")) {
                new ProcessBuilder("rabbitmqctl", "-q", "delete_queue", queue).inheritIO().start().waitFor();
            }
            new ProcessBuilder("rabbitmqadmin", "-q", "delete", "exchange", "name=" + prefix)
                    .redirectErrorStream(true).start().waitFor();
        } catch (IOException | InterruptedException e) {
            System.out.println("Could not delete the benchmark's queues " + prefix + ".*: " + e);
        }
    }

    private static UUID mailboxId(int index) {
        return UUID.nameUUIDFromBytes(("bench-mailbox-" + index).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private int integer(String name, int otherwise) {
        return Integer.parseInt(options.getOrDefault(name, String.valueOf(otherwise)));
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList().toString();
    }

    private static double percentile(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
