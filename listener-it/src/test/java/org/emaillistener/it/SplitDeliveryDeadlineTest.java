package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.MailTraffic;
import org.emaillistener.common.testing.ServiceProcess;
import org.emaillistener.common.testing.TrafficMailServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery deadlines of the standalone's {@code DeliveryDeadlineTest}, through the split
 * deployment: a primary and a secondary on Redis and RabbitMQ (dirty folders in Redis, deferrals
 * and retries through RabbitMQ's delay queues), a real Dovecot (GreenMail where it is missing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SplitDeliveryDeadlineTest {

    private static final Logger log = LoggerFactory.getLogger(SplitDeliveryDeadlineTest.class);
    private static final int MAILBOXES = 10;

    private TrafficMailServer mail;
    private Deployment deployment;
    private CreatioStandIn creatio;
    private ServiceProcess primary;

    @BeforeAll
    void startTheDeployment() throws Exception {
        mail = TrafficMailServer.start(2 * MAILBOXES);
        deployment = new Deployment(List.of(), List.of());
        creatio = deployment.creatio();
        primary = deployment.primary("p1", List.of());
        deployment.secondary("s1");
    }

    @AfterAll
    void stopTheDeployment() throws Exception {
        deployment.close();
        mail.close();
    }

    @Test
    void aBurstArrivesWithinFiveSecondsEachAndWithThirtyPercentOfCallsFailingWithinThirty() throws Exception {
        List<String> burst = subscribe(0);
        MailTraffic traffic = new MailTraffic("split burst", mail);

        traffic.send(burst, 100, 40);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> traffic.allArrived(creatio));
        MailTraffic.Report report = traffic.report(creatio, 0);
        log.info("{}", report);
        assertThat(report.lateOrLost(Duration.ofSeconds(5))).as(report.toString()).isZero();
        assertThat(report.duplicated()).as(report.toString()).isZero();

        List<String> flaky = subscribe(MAILBOXES);
        MailTraffic failing = new MailTraffic("split 30 % failing", mail);
        creatio.chaos(new CreatioStandIn.Chaos(0.30, 0, 0, Duration.ZERO, 11));
        failing.send(flaky, 100, 40);

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> failing.allArrived(creatio));
        creatio.chaos(null);
        MailTraffic.Report flakyReport = failing.report(creatio, 0);
        log.info("{}", flakyReport);
        assertThat(flakyReport.lateOrLost(Duration.ofSeconds(30))).as(flakyReport.toString()).isZero();
        assertThat(flakyReport.percentile(99)).as(flakyReport.toString()).isLessThan(Duration.ofSeconds(10));
        assertThat(flakyReport.duplicated()).as(flakyReport.toString()).isZero();
    }

    /** Registers users {@code from … from+MAILBOXES-1} and waits until each listens. */
    private List<String> subscribe(int from) throws Exception {
        List<String> users = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (int i = from; i < from + MAILBOXES; i++) {
            UUID id = UUID.randomUUID();
            var response = primary.post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(id,
                    "127.0.0.1", mail.imapPort(), TrafficMailServer.user(i), TrafficMailServer.PASSWORD,
                    creatio.bpmEndpoint(), List.of())));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            users.add(TrafficMailServer.user(i));
            ids.add(id);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> deployment.listening().containsAll(ids));
        return users;
    }
}
