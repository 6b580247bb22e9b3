package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.ServiceProcess;
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

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

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

    private final Map<UUID, String> users = new HashMap<>();
    private final Map<String, ServiceProcess> primaries = new HashMap<>();
    private final List<ServiceProcess> secondaries = new ArrayList<>();
    /** Each email sent: its subject, and the mailbox it was sent to. */
    private final Map<String, UUID> sent = new LinkedHashMap<>();
    private GreenMail greenMail;
    private Deployment deployment;
    private CreatioStandIn creatio;

    @BeforeAll
    void startTheDeployment() throws Exception {
        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        greenMail.start();
        deployment = new Deployment(List.of(), List.of());
        creatio = deployment.creatio();
        for (String name : List.of("p1", "p2", "p3")) {
            primaries.put(name, primary(name));
        }
        secondaries.add(deployment.secondary("s1"));
        secondaries.add(deployment.secondary("s2"));
    }

    @AfterAll
    void stopTheDeployment() throws Exception {
        deployment.close();
        greenMail.stop();
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

        await().atMost(Duration.ofSeconds(60)).until(() -> deployment.holders().values().stream().distinct().count() == 3
                && deployment.holders().size() == MAILBOXES && deployment.listening().size() == MAILBOXES);
        Map<String, Long> perReplica = deployment.holders().values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        log.info("Mailboxes per primary: {}", perReplica);
        assertThat(perReplica.values()).allMatch(count -> count <= 15);
        for (ServiceProcess primary : primaries.values()) {
            assertThat(primary.post("/api/listeners/subscriptionsstate",
                    CreatioRequests.ids(users.keySet().toArray(UUID[]::new))).body())
                    .doesNotContain("closed");
        }

        sendToEach(users.keySet(), "spread");
        deployment.awaitDeliveredOnce(sent);
        assertThat(deployment.storedValues()).noneMatch(value -> value.contains("secret"));
        log.info("Redis memory per served mailbox: {} bytes (MEMORY USAGE of every key, / {})",
                deployment.memoryUsage() / MAILBOXES, MAILBOXES);
    }

    @Test
    @Order(2)
    void takesOverTheMailboxesOfAKilledPrimaryAndDeliversTheMailSentMeanwhile() throws Exception {
        List<UUID> victims = deployment.heldBy("p2");
        assertThat(victims).isNotEmpty();

        Instant killed = Instant.now();
        primaries.remove("p2").kill();
        sendToEach(victims, "while p2 is dead");

        await().atMost(Duration.ofSeconds(30)).until(() -> victims.stream().allMatch(mailbox ->
                !"p2".equals(deployment.holders().get(mailbox))
                        && deployment.listeningSince(mailbox).filter(killed::isBefore).isPresent()));
        List<Long> failover = victims.stream()
                .map(mailbox -> Duration.between(killed, deployment.listeningSince(mailbox).orElseThrow()).toMillis())
                .sorted().toList();
        log.info("Failover after kill -9 (ms), per mailbox: {}; median {}", failover,
                failover.get(failover.size() / 2));
        assertThat(failover.getLast()).isLessThanOrEqualTo(15_000);
        deployment.awaitDeliveredOnce(sent);
    }

    @Test
    @Order(3)
    void givesAPrimaryThatJoinsItsFairShare() throws Exception {
        primaries.put("p4", primary("p4"));

        await().atMost(Duration.ofSeconds(60)).until(() -> deployment.heldBy("p4").size() >= MAILBOXES / 3 - 1
                && deployment.holders().size() == MAILBOXES && deployment.listening().size() == MAILBOXES);
        log.info("Mailboxes per primary after p4 joined: {}", deployment.holders().values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
        sendToEach(users.keySet(), "after p4 joined");
        deployment.awaitDeliveredOnce(sent);
    }

    @Test
    @Order(4)
    void handsItsMailboxesOverWhenAPrimaryIsStoppedGracefully() throws Exception {
        List<UUID> handedOver = deployment.heldBy("p3");
        assertThat(handedOver).isNotEmpty();

        Instant stopped = Instant.now();
        primaries.remove("p3").terminate();
        sendToEach(handedOver, "after p3 stopped");

        await().atMost(Duration.ofSeconds(30)).until(() -> handedOver.stream().allMatch(mailbox ->
                deployment.holders().containsKey(mailbox) && !"p3".equals(deployment.holders().get(mailbox))
                        && deployment.listeningSince(mailbox).filter(stopped::isBefore).isPresent()));
        long slowest = handedOver.stream()
                .mapToLong(mailbox -> Duration.between(stopped, deployment.listeningSince(mailbox).orElseThrow())
                        .toMillis())
                .max().orElseThrow();
        log.info("Graceful handover of {} mailboxes took at most {} ms", handedOver.size(), slowest);
        deployment.awaitDeliveredOnce(sent);
    }

    @Test
    @Order(5)
    void losesAndRepeatsNothingWhenRedisAndRabbitMqConnectionsDrop() throws Exception {
        List<UUID> mailboxes = List.copyOf(users.keySet());
        sendToEach(mailboxes.subList(0, 10), "before the outage");

        deployment.cutRedisAndRabbitMq();
        sendToEach(mailboxes.subList(10, 20), "during the outage");
        Thread.sleep(3000);
        deployment.restoreRedisAndRabbitMq();
        sendToEach(mailboxes.subList(20, 30), "after the outage");

        deployment.awaitDeliveredOnce(sent);
    }

    @Test
    @Order(6)
    void losesNothingWhenASecondaryIsKilledInTheMiddleOfDeliveries() throws Exception {
        List<UUID> mailboxes = List.copyOf(users.keySet());
        sendToEach(mailboxes, "while s1 is killed");
        Thread.sleep(300);
        secondaries.removeFirst().kill();
        secondaries.add(deployment.secondary("s3"));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> creatio.acceptedSubjects().containsAll(sent.keySet()));
        Thread.sleep(3000);
        Map<String, List<String>> messageIds = creatio.acceptedEmails().stream().collect(Collectors.groupingBy(
                email -> email.get("Subject").asString(),
                Collectors.mapping(email -> email.get("MessageId").asString(), Collectors.toList())));
        long duplicated = messageIds.values().stream().filter(ids -> ids.size() > 1).count();
        log.info("Secondary killed mid-delivery: sent {}, delivered {}, duplicated {}", sent.size(),
                messageIds.size(), duplicated);
        assertThat(messageIds.keySet()).containsAll(sent.keySet());
        // The one window for a repeat: killed between Creatio's 2xx and the cursor write. A repeat
        // carries the same MessageId, on which Creatio deduplicates.
        assertThat(messageIds.values()).allSatisfy(ids -> assertThat(ids).containsOnly(ids.getFirst()));
    }

    private ServiceProcess primary(String name) throws Exception {
        return deployment.primary(name, List.of("--listener.primary.capacity=15",
                "--listener.imap.reconnect-initial-delay=500ms", "--listener.imap.reconnect-max-delay=2s",
                // The safety check that recovers a lost job, at a pace that fits the test's waits.
                "--listener.imap.safety-sync-interval=15s"));
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
            sent.put(subject, mailbox);
        }
    }
}
