package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.TcpProxy;
import org.emaillistener.common.testing.TestServers;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The split deployment as operators run it: three primary and two secondary processes from their
 * jars, sharing a real Redis and RabbitMQ (each through a relay the test can cut), 30 mailboxes on
 * GreenMail. The tests run in order on the same deployment, each leaving it as the next expects:
 * spread, a primary killed, a new one joining, a primary stopped, Redis and RabbitMQ connections
 * dropped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SplitDeploymentTest {

    private static final Logger log = LoggerFactory.getLogger(SplitDeploymentTest.class);
    private static final int MAILBOXES = 30;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "el-it-" + run + ":";
    private final String queue = "email-listener-it-" + run;
    private final Map<UUID, String> users = new HashMap<>();
    private final Map<String, ServiceProcess> primaries = new HashMap<>();
    private final List<ServiceProcess> secondaries = new ArrayList<>();
    /** Every process started, stopped ones too: their logs explain a failure. */
    private final List<ServiceProcess> started = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    private GreenMail greenMail;
    private CreatioStandIn creatio;
    private TcpProxy redisRelay;
    private TcpProxy rabbitRelay;
    private LettuceConnectionFactory redisConnection;
    private StringRedisTemplate redis;
    private String encryptionKey;

    @BeforeAll
    void startTheDeployment() throws Exception {
        TestServers.Address redisAddress = TestServers.redis();
        TestServers.Address rabbitAddress = TestServers.rabbitMq().address();
        redisRelay = new TcpProxy(redisAddress.host(), redisAddress.port());
        rabbitRelay = new TcpProxy(rabbitAddress.host(), rabbitAddress.port());
        redisConnection = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redisAddress.host(), redisAddress.port()));
        redisConnection.afterPropertiesSet();
        redisConnection.start();
        redis = new StringRedisTemplate(redisConnection);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        encryptionKey = Base64.getEncoder().encodeToString(key);

        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        greenMail.start();
        creatio = new CreatioStandIn();
        for (String name : List.of("p1", "p2", "p3")) {
            primaries.put(name, primary(name));
        }
        secondaries.add(secondary("s1"));
        secondaries.add(secondary("s2"));
    }

    @AfterAll
    void stopTheDeployment() throws Exception {
        for (ServiceProcess process : primaries.values()) {
            process.close();
        }
        for (ServiceProcess process : secondaries) {
            process.close();
        }
        greenMail.stop();
        creatio.close();
        redisRelay.close();
        rabbitRelay.close();
        var keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
        redisConnection.destroy();
        for (String name : List.of(queue + ".sync", queue + ".sync.dead")) {
            TestServers.rabbitMq().rabbitmqctl("delete_queue", name);
        }
    }

    @Test
    @Order(1)
    void spreadsTheMailboxesAcrossThePrimariesWithinTheirCapacityAndDeliversEachEmailOnce() throws Exception {
        ServiceProcess entry = primaries.get("p1");
        for (int i = 0; i < MAILBOXES; i++) {
            String user = "it-" + i + "@example.com";
            greenMail.setUser(user, user, "secret");
            UUID mailbox = UUID.randomUUID();
            users.put(mailbox, user);
            var response = entry.post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                    mailbox, "127.0.0.1", greenMail.getImap().getPort(), user, "secret", creatio.bpmEndpoint(),
                    List.of())));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> holders().values().stream().distinct().count() == 3
                && holders().size() == MAILBOXES && listening().size() == MAILBOXES);
        Map<String, Long> perReplica = holders().values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        log.info("Mailboxes per primary: {}", perReplica);
        assertThat(perReplica.values()).allMatch(count -> count <= 15);
        for (ServiceProcess primary : primaries.values()) {
            assertThat(primary.post("/api/listeners/subscriptionsstate",
                    CreatioRequests.ids(users.keySet().toArray(UUID[]::new))).body())
                    .doesNotContain("closed");
        }

        sendToEach(users.keySet(), "spread");
        awaitDeliveredOnce();
        assertThat(storedValues()).noneMatch(value -> value.contains("secret"));
        log.info("Redis memory per served mailbox: {} bytes (MEMORY USAGE of every key, / {})",
                memoryUsage() / MAILBOXES, MAILBOXES);
    }

    @Test
    @Order(2)
    void takesOverTheMailboxesOfAKilledPrimaryAndDeliversTheMailSentMeanwhile() throws Exception {
        List<UUID> victims = heldBy("p2");
        assertThat(victims).isNotEmpty();

        Instant killed = Instant.now();
        primaries.remove("p2").kill();
        sendToEach(victims, "while p2 is dead");

        await().atMost(Duration.ofSeconds(30)).until(() -> victims.stream().allMatch(mailbox ->
                !"p2".equals(holders().get(mailbox)) && listeningSince(mailbox).filter(killed::isBefore).isPresent()));
        List<Long> failover = victims.stream()
                .map(mailbox -> Duration.between(killed, listeningSince(mailbox).orElseThrow()).toMillis())
                .sorted().toList();
        log.info("Failover after kill -9 (ms), per mailbox: {}; median {}", failover,
                failover.get(failover.size() / 2));
        assertThat(failover.getLast()).isLessThanOrEqualTo(15_000);
        awaitDeliveredOnce();
    }

    @Test
    @Order(3)
    void givesAPrimaryThatJoinsItsFairShare() throws Exception {
        primaries.put("p4", primary("p4"));

        await().atMost(Duration.ofSeconds(60)).until(() -> heldBy("p4").size() >= MAILBOXES / 3 - 1
                && holders().size() == MAILBOXES && listening().size() == MAILBOXES);
        log.info("Mailboxes per primary after p4 joined: {}", holders().values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
        sendToEach(users.keySet(), "after p4 joined");
        awaitDeliveredOnce();
    }

    @Test
    @Order(4)
    void handsItsMailboxesOverWhenAPrimaryIsStoppedGracefully() throws Exception {
        List<UUID> handedOver = heldBy("p3");
        assertThat(handedOver).isNotEmpty();

        Instant stopped = Instant.now();
        primaries.remove("p3").terminate();
        sendToEach(handedOver, "after p3 stopped");

        await().atMost(Duration.ofSeconds(30)).until(() -> handedOver.stream().allMatch(mailbox ->
                holders().containsKey(mailbox) && !"p3".equals(holders().get(mailbox))
                        && listeningSince(mailbox).filter(stopped::isBefore).isPresent()));
        long slowest = handedOver.stream()
                .mapToLong(mailbox -> Duration.between(stopped, listeningSince(mailbox).orElseThrow()).toMillis())
                .max().orElseThrow();
        log.info("Graceful handover of {} mailboxes took at most {} ms", handedOver.size(), slowest);
        awaitDeliveredOnce();
    }

    @Test
    @Order(5)
    void losesAndRepeatsNothingWhenRedisAndRabbitMqConnectionsDrop() throws Exception {
        List<UUID> mailboxes = List.copyOf(users.keySet());
        sendToEach(mailboxes.subList(0, 10), "before the outage");

        redisRelay.cut();
        rabbitRelay.cut();
        sendToEach(mailboxes.subList(10, 20), "during the outage");
        Thread.sleep(3000);
        redisRelay.restore();
        rabbitRelay.restore();
        sendToEach(mailboxes.subList(20, 30), "after the outage");

        awaitDeliveredOnce();
    }

    @Test
    @Order(6)
    void losesNothingWhenASecondaryIsKilledInTheMiddleOfDeliveries() throws Exception {
        List<UUID> mailboxes = List.copyOf(users.keySet());
        sendToEach(mailboxes, "while s1 is killed");
        Thread.sleep(300);
        secondaries.removeFirst().kill();
        secondaries.add(secondary("s3"));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> creatio.acceptedSubjects().containsAll(sent));
        Thread.sleep(3000);
        Map<String, List<String>> messageIds = creatio.acceptedEmails().stream().collect(Collectors.groupingBy(
                email -> email.get("Subject").asString(),
                Collectors.mapping(email -> email.get("MessageId").asString(), Collectors.toList())));
        long duplicated = messageIds.values().stream().filter(ids -> ids.size() > 1).count();
        log.info("Secondary killed mid-delivery: sent {}, delivered {}, duplicated {}", sent.size(),
                messageIds.size(), duplicated);
        assertThat(messageIds.keySet()).containsAll(sent);
        // The one window for a repeat: killed between Creatio's 2xx and the cursor write. A repeat
        // carries the same MessageId, on which Creatio deduplicates.
        assertThat(messageIds.values()).allSatisfy(ids -> assertThat(ids).containsOnly(ids.getFirst()));
    }

    private ServiceProcess primary(String name) throws Exception {
        List<String> arguments = new ArrayList<>(commonArguments());
        arguments.addAll(List.of("--listener.primary.replica-id=" + name, "--listener.primary.capacity=15",
                "--listener.primary.lease-ttl=6s", "--listener.primary.reconcile-interval=1s",
                "--listener.imap.reconnect-initial-delay=500ms", "--listener.imap.reconnect-max-delay=2s",
                // The safety check that recovers a lost job, at a pace that fits the test's waits.
                "--listener.imap.safety-sync-interval=15s"));
        ServiceProcess primary = ServiceProcess.start(name, "listener-primary", "/api/listeners/status", environment(),
                arguments);
        started.add(primary);
        return primary;
    }

    private ServiceProcess secondary(String name) throws Exception {
        ServiceProcess secondary = ServiceProcess.start(name, "listener-secondary", "/actuator/health/liveness",
                environment(), commonArguments());
        started.add(secondary);
        return secondary;
    }

    private Map<String, String> environment() {
        return Map.of("LISTENER_SECURITY_ENCRYPTION_KEY", encryptionKey);
    }

    private List<String> commonArguments() {
        return List.of("--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redisRelay.port(),
                "--spring.rabbitmq.host=127.0.0.1", "--spring.rabbitmq.port=" + rabbitRelay.port(),
                "--listener.redis.key-prefix=" + prefix, "--listener.rabbitmq.exchange=" + queue,
                "--listener.rabbitmq.queue=" + queue + ".sync", "--listener.rabbitmq.dead-letter-queue=" + queue
                        + ".sync.dead",
                "--listener.jobs.retry-initial-delay=200ms", "--listener.jobs.retry-max-delay=2s",
                "--listener.jobs.concurrency=8", "--listener.sync.lock-ttl=10s");
    }

    /** Every value the deployment keeps in Redis, as text (hashes and sets by their members). */
    private List<String> storedValues() {
        List<String> values = new ArrayList<>();
        for (String key : redis.keys(prefix + "*")) {
            switch (redis.type(key).code()) {
                case "string" -> values.add(redis.opsForValue().get(key));
                case "set" -> values.addAll(redis.opsForSet().members(key));
                case "hash" -> redis.opsForHash().values(key).forEach(value -> values.add(value.toString()));
                case "zset" -> values.addAll(redis.opsForZSet().range(key, 0, -1));
                default -> values.add(key);
            }
        }
        return values;
    }

    private long memoryUsage() {
        long bytes = 0;
        RedisScript<Long> usage = RedisScript.of("return redis.call('MEMORY', 'USAGE', KEYS[1])", Long.class);
        for (String key : redis.keys(prefix + "*")) {
            Long keyBytes = redis.execute(usage, List.of(key));
            bytes += keyBytes == null ? 0 : keyBytes;
        }
        return bytes;
    }

    /** The holder of each mailbox's lease, read from Redis. */
    private Map<UUID, String> holders() {
        Map<UUID, String> holders = new HashMap<>();
        for (UUID mailbox : users.keySet()) {
            String holder = redis.opsForValue().get(prefix + "lease:" + mailbox);
            if (holder != null) {
                holders.put(mailbox, holder);
            }
        }
        return holders;
    }

    private List<UUID> heldBy(String replica) {
        return holders().entrySet().stream().filter(entry -> entry.getValue().equals(replica)).map(Map.Entry::getKey)
                .toList();
    }

    private List<UUID> listening() {
        return users.keySet().stream().filter(mailbox -> listeningSince(mailbox).isPresent()).toList();
    }

    private Optional<Instant> listeningSince(UUID mailbox) {
        String state = redis.opsForValue().get(prefix + "state:" + mailbox);
        if (state == null) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(state);
        return "LISTENING".equals(node.get("status").asString())
                ? Optional.of(Instant.parse(node.get("since").asString()))
                : Optional.empty();
    }

    private void sendToEach(Iterable<UUID> mailboxes, String when) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(greenMail.getSmtp().getPort()));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "30000");
        Session session = Session.getInstance(props);
        for (UUID mailbox : mailboxes) {
            String subject = "To " + users.get(mailbox) + " " + when;
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("sender@example.com"));
            message.setRecipients(Message.RecipientType.TO, users.get(mailbox));
            message.setSubject(subject);
            message.setText(subject);
            Transport.send(message);
            sent.add(subject);
        }
    }

    /**
     * What a run that timed out needs to be understood from CI's output alone: each mail not
     * delivered, its mailbox's holder, state and INBOX cursor, and the processes' last log lines
     * about that mailbox.
     */
    private String undelivered() {
        List<String> missing = sent.stream().filter(subject -> !creatio.acceptedSubjects().contains(subject)).toList();
        StringBuilder report = new StringBuilder("Not delivered within 90 s: " + missing.size() + " of " + sent.size());
        for (String subject : missing) {
            UUID mailbox = users.entrySet().stream().filter(user -> subject.startsWith("To " + user.getValue() + " "))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            report.append("\n- ").append(subject).append(": mailbox ").append(mailbox).append(" held by ")
                    .append(holders().get(mailbox)).append(", state ")
                    .append(redis.opsForValue().get(prefix + "state:" + mailbox)).append(", cursor ")
                    .append(redis.opsForValue().get(prefix + "cursor:" + mailbox + ":INBOX"));
            for (ServiceProcess process : started) {
                try {
                    List<String> lines = Files.readAllLines(process.logFile().toPath()).stream()
                            .filter(line -> line.contains(String.valueOf(mailbox))).toList();
                    lines.subList(Math.max(0, lines.size() - 8), lines.size())
                            .forEach(line -> report.append("\n    ").append(process.name).append(": ").append(line));
                } catch (IOException e) {
                    report.append("\n    ").append(process.name).append(": log unreadable: ").append(e);
                }
            }
        }
        return report.toString();
    }

    /** Every email sent so far reaches Creatio, and none twice. */
    private void awaitDeliveredOnce() throws InterruptedException {
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> creatio.acceptedSubjects().containsAll(sent));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(undelivered(), e);
        }
        Thread.sleep(3000);
        Map<String, Long> deliveries = creatio.acceptedSubjects().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(deliveries).allSatisfy((subject, count) -> assertThat(count).as(subject).isEqualTo(1));
    }
}
