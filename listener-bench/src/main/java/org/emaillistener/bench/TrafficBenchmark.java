package org.emaillistener.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.Dovecot;
import org.emaillistener.common.testing.ServiceProcess;

/**
 * The delivery tail of issue 13, as a new user meets it: the standalone jar with its defaults, a real
 * Dovecot, Creatio's stand-in. N mailboxes are created and, as soon as Creatio's {@code create}
 * calls are answered (mail does not wait for the listener), {@code --messages} mails are stored over
 * LMTP at {@code --rate} per second, round robin over the mailboxes; with
 * {@code --creatio-failures=0.3} the stand-in answers a random 30 % of {@code ProcessFullEmail}
 * calls with HTTP 500. Each mail is timed from stored to Creatio's first 2xx.
 *
 * <p>Prints p50 / p90 / p99 / max, how many arrived later than {@code --deadline-seconds} (5; 30 with
 * failures) or not at all within {@code --wait-seconds} (60) of the last send, how many Creatio
 * received twice, and what the safety sync had to find ({@code email_listener_mail_found_by_safety_sync}:
 * in a healthy system 0).
 */
final class TrafficBenchmark {

    private static final Path STANDALONE_JAR = Path.of("listener-standalone/target/listener-standalone.jar");

    private final Map<String, String> options;
    private final int mailboxes;
    private final double failures;
    private final ResultTable table = new ResultTable();

    private TrafficBenchmark(Map<String, String> options) {
        this.options = options;
        this.mailboxes = integer("mailboxes", 20);
        this.failures = Double.parseDouble(options.getOrDefault("creatio-failures", "0"));
    }

    static void main(Map<String, String> options) throws Exception {
        new TrafficBenchmark(options).run();
    }

    private void run() throws Exception {
        int messages = integer("messages", failures > 0 ? 300 : 200);
        int rate = integer("rate", 40);
        int spread = Math.min(mailboxes, integer("latency-mailboxes", mailboxes));
        double deadline = integer("deadline-seconds", failures > 0 ? 30 : 5) * 1000.0;
        double p99Target = failures > 0 ? 10_000 : 1_000;
        try (Dovecot dovecot = Dovecot.start(mailboxes);
                CreatioStandIn creatio = new CreatioStandIn();
                BenchedService service = BenchedService.start("traffic", STANDALONE_JAR, ServiceProcess.freePort(),
                        BenchedService.jvmOptions("traffic", options),
                        List.of("--listener.callbacks.allowed-hosts=127.0.0.1"))) {
            service.awaitStarted(Duration.ofSeconds(120));
            creatio.answerAfter(Duration.ofMillis(integer("creatio-ms", 0)));
            if (failures > 0) {
                creatio.chaos(new CreatioStandIn.Chaos(failures, 0, 0, Duration.ZERO, 13));
            }
            List<String> created = new ArrayList<>();
            for (int i = 0; i < mailboxes; i++) {
                created.add(CreatioRequests.imapMailbox(mailboxId(i), "127.0.0.1", dovecot.imapPort(),
                        Dovecot.user(i), Dovecot.PASSWORD, creatio.bpmEndpoint(), List.of()));
            }
            long start = System.nanoTime();
            service.create(created);
            if ("true".equals(options.get("wait-listening"))) {
                service.awaitListening("email.listener.subscriptions.listening", mailboxes, start,
                        Duration.ofSeconds(600), BenchedService.AlsoAwaited.NOTHING);
            }
            Deliveries deliveries = new Deliveries(creatio);
            List<Integer> sent = deliveries.send(() -> ScaleBenchmark.lmtp(dovecot), 8, messages, rate, spread, 2_000);
            deliveries.awaitAll(Duration.ofSeconds(integer("wait-seconds", 60)));
            List<Double> latencies = deliveries.latencies(sent);
            long late = latencies.stream().filter(latency -> latency > deadline).count();
            long lost = sent.size() - latencies.size();
            long twice = deliveries.duplicates(sent);
            String load = String.format(Locale.ROOT, "%d mails at %d/s over %d of %d mailboxes%s", messages, rate,
                    spread, mailboxes, failures > 0
                            ? String.format(Locale.ROOT, ", Creatio failing %.0f %% of calls", failures * 100) : "");
            table.report("load", load);
            table.add("delivered within " + (long) (deadline / 1000) + " s of being stored", "100 %",
                    String.format(Locale.ROOT, "%d of %d (%d later, %d not within %s s)", latencies.size() - late,
                            sent.size(), late, lost, options.getOrDefault("wait-seconds", "60")),
                    late == 0 && lost == 0);
            table.add("latency stored -> Creatio, p99", "<= " + (long) p99Target + " ms",
                    ms(Deliveries.percentile(latencies, 99)), lost == 0 && Deliveries.percentile(latencies, 99)
                            <= p99Target);
            table.report("latency p50 / p90 / max", ms(Deliveries.percentile(latencies, 50)) + " / "
                    + ms(Deliveries.percentile(latencies, 90)) + " / "
                    + (latencies.isEmpty() ? "-" : ms(latencies.getLast())));
            table.add("delivered twice", "0", String.valueOf(twice), twice == 0);
            double foundBySafetySync = service.metric("email.listener.mail.found.by.safety.sync");
            table.add("mail the safety sync had to find", "0", String.format(Locale.ROOT, "%.0f", foundBySafetySync),
                    foundBySafetySync == 0);
            table.report("sync jobs dead-lettered",
                    String.format(Locale.ROOT, "%.0f", service.metric("email.listener.sync.jobs.dead.lettered")));
            table.report("IMAP connections per mailbox at rest", connectionsAtRest(dovecot));
            table.note("Dovecot complaints: " + dovecot.complaints());
        }
        table.print(String.format(Locale.ROOT, "Issue 13: delivery tail, standalone with its defaults, Dovecot (own "
                + "instance), %d cores, loopback", Runtime.getRuntime().availableProcessors()));
    }

    /**
     * After the sync pool's idle time-out ({@code listener.imap.pool.idle-timeout}, 60 s) and a sweep
     * have passed ({@code --rest-seconds}, 80): IMAP sessions Dovecot holds, per mailbox. One IDLE per
     * watched folder is the floor.
     */
    private String connectionsAtRest(Dovecot dovecot) throws IOException, InterruptedException {
        Thread.sleep(Duration.ofSeconds(integer("rest-seconds", 80)).toMillis());
        long sessions = dovecot.imapSessions();
        return String.format(Locale.ROOT, "%.2f (%d sessions)", (double) sessions / mailboxes, sessions);
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.0f ms", millis);
    }

    private static UUID mailboxId(int index) {
        return UUID.nameUUIDFromBytes(("traffic-mailbox-" + index).getBytes(StandardCharsets.US_ASCII));
    }

    private int integer(String name, int otherwise) {
        return Integer.parseInt(options.getOrDefault(name, String.valueOf(otherwise)));
    }
}
