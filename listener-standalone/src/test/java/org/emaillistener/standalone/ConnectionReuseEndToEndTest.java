package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sync jobs of a mailbox share one login, and a kept login that died meanwhile costs neither a
 * message nor a duplicate. The mailbox is reached through a TCP proxy that counts connections and
 * can drop them all.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.reconnect-initial-delay=200ms", "listener.imap.reconnect-max-delay=1s",
                "listener.jobs.retry-initial-delay=100ms", "listener.jobs.retry-max-delay=1s" })
class ConnectionReuseEndToEndTest extends EndToEndTest {

    @Autowired
    MeterRegistry meters;

    private TcpProxy relay;

    @AfterEach
    void closeTheRelay() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void successiveJobsOfAMailboxShareOneLogin() throws Exception {
        MailStream stream = new MailStream("reuse", creatio);
        relay = new TcpProxy("127.0.0.1", mail.imapPort());
        String user = mailbox(relay.port());
        stream.awaitEverything(Duration.ofSeconds(10));
        int connectionsBefore = relay.connectionsAccepted();
        double savedBefore = saved();

        for (int i = 0; i < 5; i++) {
            mail.send(plain(user, stream.next(user)));
            stream.awaitEverything(Duration.ofSeconds(30));
        }

        assertExactlyOnceInOrder(stream);
        assertThat(relay.connectionsAccepted() - connectionsBefore).as("new connections for 5 jobs").isLessThanOrEqualTo(1);
        assertThat(saved() - savedBefore).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aKeptLoginThatDiedIsReplacedWithoutLosingOrRepeatingMail() throws Exception {
        MailStream stream = new MailStream("replaced login", creatio);
        relay = new TcpProxy("127.0.0.1", mail.imapPort());
        String user = mailbox(relay.port());
        for (int round = 0; round < 3; round++) {
            mail.send(plain(user, stream.next(user)));
            stream.awaitEverything(Duration.ofSeconds(30));
            double replacedBefore = replaced();
            relay.cut();
            // The closed port may take a moment to be free again.
            await().ignoreExceptions().atMost(Duration.ofSeconds(5)).until(() -> {
                relay.restore();
                return true;
            });
            mail.send(plain(user, stream.next(user)));
            mail.send(plain(user, stream.next(user)));
            stream.awaitEverything(Duration.ofSeconds(30));
            assertThat(replaced()).as("the dead kept login was replaced").isGreaterThan(replacedBefore);
        }

        assertExactlyOnceInOrder(stream);
    }

    private String mailbox(int imapPort) {
        String user = "reuse-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                UUID.randomUUID(), "127.0.0.1", imapPort, user, "secret", creatio.bpmEndpoint(), List.of())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return user;
    }

    private double saved() {
        return meters.counter("email.listener.imap.pool.logins.saved").count();
    }

    private double replaced() {
        return meters.counter("email.listener.imap.pool.replaced").count();
    }

    private static void assertExactlyOnceInOrder(MailStream stream) throws InterruptedException {
        Thread.sleep(1000);
        MailStream.Report report = stream.report();
        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.outOfOrder()).as("out of order").isZero();
        assertThat(report.delivered()).isEqualTo(report.sent());
    }
}
