package org.emaillistener.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.Dovecot;
import org.emaillistener.common.testing.ServiceProcess;

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
    private final ResultTable table = new ResultTable();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    private ScaleBenchmark(Map<String, String> options) {
        this.options = options;
        this.mailboxes = integer("mailboxes", 10_000);
        this.split = "split".equals(options.getOrDefault("deployment", "standalone"));
    }

    static void main(Map<String, String> options) throws Exception {
        new ScaleBenchmark(options).run();
    }

    private void run() throws Exception {
        BenchedService primary = null;
        BenchedService secondary = null;
        try (Dovecot dovecot = Dovecot.start(mailboxes + 1, ServiceProcess.freePort(), ServiceProcess.freePort());
                CreatioStandIn creatio = new CreatioStandIn()) {
            if (split) {
                primary = BenchedService.start("primary", Path.of(PRIMARY_JAR), ServiceProcess.freePort(),
                        BenchedService.jvmOptions("primary", options), serviceArguments(true));
                secondary = BenchedService.start("secondary", Path.of(SECONDARY_JAR), ServiceProcess.freePort(),
                        BenchedService.jvmOptions("secondary", options), serviceArguments(false));
                secondary.awaitStarted(Duration.ofSeconds(120));
            } else {
                primary = BenchedService.start("standalone", Path.of(STANDALONE_JAR), ServiceProcess.freePort(),
                        BenchedService.jvmOptions("standalone", options), serviceArguments(true));
            }
            primary.awaitStarted(Duration.ofSeconds(120));
            BenchedService syncer = split ? secondary : primary;
            BenchedService.Footprint before = primary.footprintAtStart();
            register(dovecot, primary, creatio);
            table.addFootprint("primary", before, primary.footprintWhenQuiet(syncer), mailboxes);

            Deliveries deliveries = new Deliveries(creatio);
            latency(dovecot, deliveries);
            throughput(dovecot, creatio, deliveries, syncer);
            table.note(String.format(Locale.ROOT, "CPU used: %s %.0f s%s", split ? "primary" : "standalone",
                    primary.cpuSeconds(), split ? String.format(Locale.ROOT, ", secondary %.0f s",
                            secondary.cpuSeconds()) : ""));
            table.note("Dovecot complaints: " + dovecot.complaints());
        } finally {
            if (secondary != null) {
                secondary.close();
            }
            if (primary != null) {
                primary.close();
            }
            if (split) {
                cleanUpRedisAndRabbitMq("bench-" + runId);
            }
        }
        if (!"false".equals(options.get("jmh"))) {
            conversion();
        }
        table.print(String.format(Locale.ROOT, "Issue 8: one primary replica, %d mailboxes, Dovecot (own instance), %s, "
                + "%d cores, loopback", mailboxes, split ? "primary + secondary on Redis and RabbitMQ" : "standalone",
                Runtime.getRuntime().availableProcessors()));
    }

    private List<String> serviceArguments(boolean primaryRole) {
        List<String> arguments = new ArrayList<>();
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
    private void register(Dovecot dovecot, BenchedService primary, CreatioStandIn creatio) throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < mailboxes; i++) {
            created.add(CreatioRequests.imapMailbox(mailboxId(i), "127.0.0.1", dovecot.imapPort(), Dovecot.user(i),
                    Dovecot.PASSWORD, creatio.bpmEndpoint(), List.of()));
        }
        long start = System.nanoTime();
        primary.create(created);
        double createSeconds = (System.nanoTime() - start) / 1e9;
        long listening = primary.awaitListening("email.listener.subscriptions.listening", mailboxes, start,
                Duration.ofSeconds(integer("listen-timeout-seconds", 300)), BenchedService.AlsoAwaited.NOTHING);
        double seconds = (System.nanoTime() - start) / 1e9;
        double failedLogins = primary.metric("email.listener.reconnects");
        table.add("IMAP IDLE mailboxes held by one primary", ">= 10000", String.valueOf(listening),
                listening >= 10_000);
        table.add("create calls -> all listening", "<= 60 s",
                String.format(Locale.ROOT, "%.1f s (creates took %.1f s; %d failed connects)", seconds,
                        createSeconds, (long) failedLogins),
                listening >= mailboxes && seconds <= 60 && failedLogins == 0);
        table.note(String.format(Locale.ROOT, "Logins Dovecot logged: %d", dovecot.loginsLogged()));
    }

    private void latency(Dovecot dovecot, Deliveries deliveries) throws Exception {
        int rate = integer("rate", 100);
        int spread = Math.min(mailboxes, integer("latency-mailboxes", 1000));
        Deliveries.Latency latency = deliveries.latency(() -> lmtp(dovecot), 8, rate, integer("latency-seconds", 20),
                spread, integer("runs", 3), Duration.ofSeconds(30));
        String load = String.format(Locale.ROOT, "%d mails/s over %d mailboxes", rate, spread);
        boolean none = latency.lost() == 0;
        // Dovecot announces new mail 500 ms after it sees it (NOTIFY_DELAY_MSECS in its mailbox-watch.c).
        double announcement = dovecot.idleAnnouncementMillis(Dovecot.user(mailboxes), 10);
        table.report("Dovecot's own IDLE announcement (append -> EXISTS)",
                String.format(Locale.ROOT, "%.1f ms (median of 10, its own client)", announcement));
        table.add("latency append -> Creatio, p50 (" + load + ")", "<= 100 ms", latency.describeP50(),
                latency.p50() <= 100 && none);
        table.add("latency append -> Creatio, p99", "<= 500 ms", latency.describeP99(), latency.p99() <= 500 && none);
        double p50 = latency.p50() - announcement;
        double p99 = latency.p99() - announcement;
        table.add("  the listener's share (latency - announcement), p50", "<= 100 ms",
                String.format(Locale.ROOT, "%.1f ms", p50), p50 <= 100 && none);
        table.add("  the listener's share (latency - announcement), p99", "<= 500 ms",
                String.format(Locale.ROOT, "%.1f ms", p99), p99 <= 500 && none);
    }

    /** An LMTP connection to Dovecot, delivering the benchmark's mail to its users (the traffic scenario's too). */
    static Deliveries.Sender lmtp(Dovecot dovecot) throws IOException {
        Dovecot.Lmtp lmtp = dovecot.lmtp();
        return new Deliveries.Sender() {
            @Override
            public void send(int sequence, int mailbox, int size) throws IOException {
                lmtp.deliver(Dovecot.user(mailbox), BenchMessages.message(sequence, Dovecot.user(mailbox), size));
            }

            @Override
            public void close() throws IOException {
                lmtp.close();
            }
        };
    }

    private void throughput(Dovecot dovecot, CreatioStandIn creatio, Deliveries deliveries, BenchedService syncer)
            throws Exception {
        int messages = integer("throughput-messages", 3000);
        int size = integer("message-kb", 20) * 1024;
        int spread = Math.min(mailboxes, integer("throughput-mailboxes", 100));
        long start = System.nanoTime();
        List<Integer> sent = deliveries.send(() -> lmtp(dovecot), 8, messages, 0, spread, size);
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        deliveries.awaitAll(Duration.ofSeconds(120));
        List<Long> received = new ArrayList<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            for (JsonNode email : call.body().get("Emails")) {
                int sequence = Deliveries.sequence(email);
                if (call.status() / 100 == 2 && sequence >= sent.getFirst() && sequence <= sent.getLast()) {
                    received.add(call.receivedAtNanos());
                }
            }
        }
        Collections.sort(received);
        double perSecond = received.size() < 2 ? 0
                : (received.size() - 1) / ((received.getLast() - received.getFirst()) / 1e9);
        double appendedPerSecond = messages / sendSeconds;
        table.add(String.format(Locale.ROOT, "emails/s delivered by one secondary (%d KB, %d mailboxes)",
                size / 1024, spread), ">= 300", String.format(Locale.ROOT,
                        "%.0f /s (%d of %d delivered; appended at %.0f /s)", perSecond, received.size(), messages,
                        appendedPerSecond), perSecond >= 300 && received.size() == messages);
        table.note(String.format(Locale.ROOT, "Sync jobs consumed: %.0f", syncer.metric("email.listener.sync.jobs.consumed")));
    }

    /** The JMH conversion benchmark, forked with the module's class path; its MB/s per message shape. */
    private void conversion() throws Exception {
        Path classpath = Path.of("listener-bench/target/bench-classpath.txt");
        if (!Files.isRegularFile(classpath)) {
            table.note("MIME -> JSON: skipped, " + classpath + " is missing (./mvnw -DskipTests package)");
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
            table.note("MIME -> JSON: the JMH run failed");
            return;
        }
        for (JsonNode benchmark : tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(Files.readString(result))) {
            String shape = benchmark.get("params").get("size").asString();
            double opsPerSecond = benchmark.get("primaryMetric").get("score").asDouble();
            double megabytes = opsPerSecond * EmailConverterBenchmark.bytesOf(shape) / 1e6;
            String method = benchmark.get("benchmark").asString();
            method = method.substring(method.lastIndexOf('.') + 1);
            table.add("MIME -> Creatio JSON, one core (" + method + ", " + shape + ")", ">= 200 MB/s",
                    String.format(Locale.ROOT, "%.0f MB/s (%.0f msgs/s)", megabytes, opsPerSecond), megabytes >= 200);
        }
    }

    /** Deletes the Redis keys under {@code <prefix>:} and the queues and exchange named after the prefix. */
    static void cleanUpRedisAndRabbitMq(String prefix) {
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
            Process listing = new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name").start();
            String listed = new String(listing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            listing.waitFor();
            // The sync queue, its dead letters and its delay queues (.sync.delay.<ms>ms).
            for (String queue : listed.split("\\R")) {
                if (queue.strip().startsWith(prefix + ".sync")) {
                    new ProcessBuilder("rabbitmqctl", "-q", "delete_queue", queue.strip()).inheritIO().start()
                            .waitFor();
                }
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
}
