package org.emaillistener.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.RedisStoreContext;
import org.emaillistener.common.testing.ServiceProcess;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The operator console's paged list at scale: N mailboxes (default 10,000) registered in Redis through
 * the service's own adapters, held by another live replica, with a mix of states, deliveries and
 * parked mail; the primary jar as a user runs it (its defaults, plus the key that turns the console on);
 * then filtered pages asked over HTTP on the management port while 50 mailboxes change a second.
 *
 * <p>Arguments: {@code --mailboxes=N} (default 10000), {@code --requests=N} (default 300).
 */
final class ConsoleBenchmark {

    private static final Path PRIMARY_JAR = Path.of("listener-primary/target/listener-primary.jar");
    private static final String KEY = "bench-operator-key";
    private static final String OTHER_REPLICA = "bench-console-replica-b";
    private static final Duration TARGET = Duration.ofMillis(200);
    private static final List<String> FILTERS = List.of("state=auth-failed", "protocol=ews&state=listening",
            "q=user0042", "quietHours=1&sort=last-delivery&order=desc", "creatioHost=crm-b.example.com&page=3",
            "state=unreachable&sort=address&size=200", "errorKind=authentication&protocol=imap",
            "replica=" + OTHER_REPLICA + "&sort=parked&order=desc");

    private ConsoleBenchmark() {
    }

    static void main(Map<String, String> options) throws Exception {
        int mailboxes = Integer.parseInt(options.getOrDefault("mailboxes", "10000"));
        int requests = Integer.parseInt(options.getOrDefault("requests", "300"));
        String prefix = "bench-console-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encryptionKey = Base64.getEncoder().encodeToString(key);
        ResultTable table = new ResultTable();
        BenchedService primary = null;
        try (ConfigurableApplicationContext store = RedisStoreContext.start(prefix + ":", encryptionKey, "127.0.0.1",
                6379)) {
            long seeding = System.nanoTime();
            List<UUID> ids = seed(store, mailboxes);
            table.report("seeding " + mailboxes + " mailboxes through the adapters",
                    String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - seeding) / 1e9));

            primary = BenchedService.start("console", PRIMARY_JAR, ServiceProcess.freePort(),
                    BenchedService.jvmOptions("console", options), List.of("--listener.redis.key-prefix=" + prefix + ":",
                            "--listener.security.encryption-key=" + encryptionKey,
                            "--listener.operator.api-key=" + KEY,
                            "--listener.rabbitmq.exchange=" + prefix,
                            "--listener.rabbitmq.queue=" + prefix + ".sync",
                            "--listener.rabbitmq.dead-letter-queue=" + prefix + ".sync.dead",
                            "--listener.primary.replica-id=" + prefix + "-primary",
                            "--listener.callbacks.allowed-hosts=127.0.0.1"));
            primary.awaitStarted(Duration.ofSeconds(120));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + primary.managementPort() + "/operator/mailboxes?";

            long first = System.nanoTime();
            String firstPage = get(http, base + "size=50");
            long firstMillis = (System.nanoTime() - first) / 1_000_000;
            if (!firstPage.contains("\"total\":" + mailboxes)) {
                throw new IllegalStateException("the console did not list the " + mailboxes + " mailboxes: "
                        + firstPage.substring(0, Math.min(300, firstPage.length())));
            }
            table.report("first page (loads every mailbox once)", firstMillis + " ms");

            AtomicBoolean churning = new AtomicBoolean(true);
            AtomicInteger changes = new AtomicInteger();
            SubscriptionStates states = store.getBean(SubscriptionStates.class);
            Thread churn = Thread.ofVirtual().start(() -> {
                while (churning.get()) {
                    UUID id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                    states.save(id, ThreadLocalRandom.current().nextBoolean()
                            ? SubscriptionState.of(SubscriptionState.Status.LISTENING)
                            : SubscriptionState.failing(SubscriptionState.Status.RECONNECTING, FailureKind.UNREACHABLE,
                                    "Connection refused"));
                    changes.incrementAndGet();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            for (int i = 0; i < 20; i++) {
                get(http, base + FILTERS.get(i % FILTERS.size()));
            }
            long[] millis = new long[requests];
            long started = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                long at = System.nanoTime();
                get(http, base + FILTERS.get(i % FILTERS.size()));
                millis[i] = (System.nanoTime() - at) / 1_000_000;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            churning.set(false);
            churn.join();
            java.util.Arrays.sort(millis);
            long p50 = millis[requests / 2];
            long p99 = millis[(int) Math.ceil(requests * 0.99) - 1];
            long max = millis[requests - 1];
            table.add("filtered page, p99 (" + requests + " requests, " + FILTERS.size() + " filters)",
                    "<= " + TARGET.toMillis() + " ms", p99 + " ms", p99 <= TARGET.toMillis());
            table.report("filtered page, p50 / max", p50 + " ms / " + max + " ms");
            table.report("mailbox changes during the requests",
                    String.format(Locale.ROOT, "%d (%.0f/s)", changes.get(), changes.get() / seconds));
            table.note("Filters, in turn: " + String.join(" | ", FILTERS));
            table.note(String.format(Locale.ROOT, "Primary CPU used: %.0f s", primary.cpuSeconds()));
        } finally {
            if (primary != null) {
                primary.close();
            }
            ScaleBenchmark.cleanUpRedisAndRabbitMq(prefix);
        }
        table.print(String.format(Locale.ROOT, "Issue 17: the operator console's mailbox list, %d mailboxes in Redis, "
                + "one primary (defaults), %d cores, loopback", mailboxes, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Every 50th mailbox failed its password, every 25th cannot reach its server, every 10th is Exchange,
     * a quarter deliver to a second Creatio, half delivered mail, every 100th has a parked message; all
     * held by a live replica other than the primary under test.
     */
    private static List<UUID> seed(ConfigurableApplicationContext store, int count) {
        MailboxRegistry registry = store.getBean(MailboxRegistry.class);
        SubscriptionStates states = store.getBean(SubscriptionStates.class);
        Leases leases = store.getBean(Leases.class);
        DeliveredMessages delivered = store.getBean(DeliveredMessages.class);
        ParkedMessages parked = store.getBean(ParkedMessages.class);
        leases.heartbeat(OTHER_REPLICA, Duration.ofHours(2));
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            String bpm = "https://" + (i % 4 == 0 ? "crm-b" : "crm-a")
                    + ".example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail";
            String json = i % 10 == 9
                    ? CreatioRequests.exchangeMailbox(id, "https://mail.example.com/EWS/Exchange.asmx",
                            String.format(Locale.ROOT, "ews%05d@example.com", i), "app-password-" + i, bpm, List.of(), 0)
                    : CreatioRequests.imapMailbox(id, "imap.example.com", 993,
                            String.format(Locale.ROOT, "user%05d@example.com", i), "app-password-" + i, bpm, List.of());
            registry.save(new RegisteredMailbox(CreatioJson.mapper().readValue(json, SynchronizationCredentials.class),
                    Instant.now()));
            states.save(id, i % 50 == 1
                    ? SubscriptionState.failing(SubscriptionState.Status.FAILED, FailureKind.AUTHENTICATION,
                            "AUTHENTICATE failed")
                    : i % 25 == 5 ? SubscriptionState.failing(SubscriptionState.Status.RECONNECTING,
                            FailureKind.UNREACHABLE, "Connection refused")
                            : SubscriptionState.of(SubscriptionState.Status.LISTENING));
            leases.tryAcquire(id, OTHER_REPLICA, Duration.ofHours(2));
            if (i % 2 == 0) {
                delivered.record(id, "<" + i + "@example.com>");
            }
            if (i % 100 == 3) {
                parked.park(new ParkedMessage(id, "INBOX", 1, 7, "<7@example.com>", "Refused", "HTTP 400",
                        Instant.now(), null));
            }
        }
        return ids;
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("bench:" + KEY).getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
