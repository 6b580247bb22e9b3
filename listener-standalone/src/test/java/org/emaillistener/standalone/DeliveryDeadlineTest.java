package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.MailTraffic;
import org.emaillistener.common.testing.TcpProxy;
import org.emaillistener.common.testing.TrafficMailServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Deadlines, not only end states: the standalone jar's defaults (nothing scaled down) against a real
 * Dovecot (GreenMail where Dovecot is not installed), with Creatio's stand-in healthy, failing at
 * random, and down for a while. Each scenario asserts the bound a healthy run meets with a wide
 * margin and reports lost, late and duplicated mail; {@code listener-bench --scenario=traffic}
 * measures the same patterns at full size.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeliveryDeadlineTest {

    private static final Logger log = LoggerFactory.getLogger(DeliveryDeadlineTest.class);
    private static final int MAILBOXES = 20;

    static TrafficMailServer mail;
    static CreatioStandIn creatio;

    @LocalServerPort
    int port;
    @Autowired
    SubscriptionStates states;
    @Autowired
    MeterRegistry meters;

    private TcpProxy relay;

    @BeforeAll
    static void startPeers() throws Exception {
        mail = TrafficMailServer.start(3 * MAILBOXES);
        creatio = new CreatioStandIn();
    }

    @AfterAll
    static void stopPeers() throws Exception {
        mail.close();
        creatio.close();
    }

    @AfterEach
    void calm() throws Exception {
        creatio.chaos(null);
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aBurstToTwentyMailboxesArrivesWithinFiveSecondsEach() throws Exception {
        List<String> users = subscribe(0, MAILBOXES, creatio.bpmEndpoint());
        MailTraffic traffic = new MailTraffic("burst", mail);

        traffic.send(users, 200, 40);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> traffic.allArrived(creatio));
        MailTraffic.Report report = traffic.report(creatio, 0);
        log.info("{}", report);
        assertThat(report.lateOrLost(Duration.ofSeconds(5))).as(report.toString()).isZero();
        assertThat(report.percentile(99)).as(report.toString()).isLessThan(Duration.ofSeconds(2));
        assertThat(report.duplicated()).as(report.toString()).isZero();
        assertThat(foundBySafetySync()).isZero();
    }

    @Test
    void withThirtyPercentOfCreatiosAnswersFailingEveryMailArrivesWithinThirtySecondsOnce() throws Exception {
        List<String> users = subscribe(MAILBOXES, MAILBOXES, creatio.bpmEndpoint());
        MailTraffic traffic = new MailTraffic("30 % failing", mail);
        creatio.chaos(new CreatioStandIn.Chaos(0.30, 0, 0, Duration.ZERO, 7));

        traffic.send(users, 150, 40);

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> traffic.allArrived(creatio));
        MailTraffic.Report report = traffic.report(creatio, 0);
        log.info("{}", report);
        assertThat(report.lateOrLost(Duration.ofSeconds(30))).as(report.toString()).isZero();
        assertThat(report.percentile(99)).as(report.toString()).isLessThan(Duration.ofSeconds(10));
        assertThat(report.duplicated()).as(report.toString()).isZero();
    }

    @Test
    void mailHeldWhileCreatioIsDownArrivesWithinAMinuteOfItsReturnAndNothingIsDeadLettered() throws Exception {
        relay = new TcpProxy("127.0.0.1", URI.create(creatio.bpmEndpoint()).getPort());
        String viaRelay = creatio.bpmEndpoint().replace(":" + URI.create(creatio.bpmEndpoint()).getPort() + "/",
                ":" + relay.port() + "/");
        List<String> users = subscribe(2 * MAILBOXES, MAILBOXES / 2, viaRelay);
        MailTraffic traffic = new MailTraffic("Creatio down", mail);
        double deadLetteredBefore = deadLettered();
        relay.cut();

        traffic.send(users, 40, 20);
        Thread.sleep(25_000);
        assertThat(traffic.report(creatio, 0).lost()).isEqualTo(40);
        long back = System.nanoTime();
        relay.restore();

        await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofMillis(500))
                .until(() -> traffic.allArrived(creatio));
        MailTraffic.Report report = traffic.report(creatio, back);
        log.info("{} (latency from Creatio's return)", report);
        assertThat(report.lateOrLost(Duration.ofSeconds(60))).as(report.toString()).isZero();
        assertThat(report.duplicated()).as(report.toString()).isZero();
        assertThat(deadLettered()).isEqualTo(deadLetteredBefore);
    }

    /** Registers mailboxes for users {@code from … from+count-1} and waits until each listens. */
    private List<String> subscribe(int from, int count, String bpmEndpoint) {
        List<String> users = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String user = TrafficMailServer.user(i);
            UUID id = UUID.randomUUID();
            var response = new ListenerApi(port).post("/api/listeners/create", CreatioRequests.array(
                    CreatioRequests.imapMailbox(id, "127.0.0.1", mail.imapPort(), user, TrafficMailServer.PASSWORD,
                            bpmEndpoint, List.of())));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            users.add(user);
            ids.add(id);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> states.find(id)
                .map(state -> state.status() == SubscriptionState.Status.LISTENING).orElse(false)));
        return users;
    }

    private double foundBySafetySync() {
        Counter counter = meters.find("email.listener.mail.found.by.safety.sync").counter();
        return counter == null ? 0 : counter.count();
    }

    private double deadLettered() {
        Counter counter = meters.find("email.listener.sync.jobs.dead.lettered").counter();
        return counter == null ? 0 : counter.count();
    }
}
