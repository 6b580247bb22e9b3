package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;

import jakarta.mail.Flags;
import jakarta.mail.internet.MimeMessage;

/**
 * Faults injected while mail streams in (issue 5's scenarios that one process can show; the killed
 * primary, the dropped broker and the restarted Redis are in listener-it's SplitDeploymentTest). Each
 * ends with every message delivered exactly once and in order; the counts are logged per scenario.
 * Time-outs and back-offs are scaled down.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.creatio.request-timeout=1s", "listener.creatio.circuit.open-for=1s",
                "listener.jobs.retry-initial-delay=100ms", "listener.jobs.retry-max-delay=1s",
                "listener.jobs.delivery-limit=100", "listener.imap.reconnect-initial-delay=200ms",
                "listener.imap.reconnect-max-delay=1s", "listener.imap.safety-sync-interval=3s",
                "listener.creatio.max-down-time=5s", "listener.operator.api-key=operator-key" })
class FaultInjectionTest extends EndToEndTest {

    private TcpProxy relay;

    @AfterEach
    void closeTheRelay() throws Exception {
        creatio.answerNormally();
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void deliversEverythingOnceToACreatioThatFailsHangsAndRefusesAtRandom() throws Exception {
        MailStream stream = new MailStream("flaky Creatio", creatio);
        List<String> users = mailboxes(3, creatio.bpmEndpoint(), mail.imapPort());
        creatio.chaos(new CreatioStandIn.Chaos(0.30, 0.10, 0.05, Duration.ofMillis(1500), 42));

        for (int round = 0; round < 8; round++) {
            for (String user : users) {
                mail.send(plain(user, stream.next(user)));
            }
        }

        stream.awaitEverything(Duration.ofSeconds(120));
        creatio.answerNormally();
        assertExactlyOnceInOrder(stream);
    }

    @Test
    void deliversEverythingOnceAfterCreatioWasDown() throws Exception {
        MailStream stream = new MailStream("Creatio down", creatio);
        relay = new TcpProxy("127.0.0.1", port(creatio.bpmEndpoint()));
        String viaRelay = creatio.bpmEndpoint().replace(":" + port(creatio.bpmEndpoint()) + "/", ":" + relay.port() + "/");
        List<UUID> mailboxes = new ArrayList<>();
        List<String> users = mailboxes(2, viaRelay, mail.imapPort(), mailboxes);
        mail.send(plain(users.getFirst(), stream.next(users.getFirst())));
        stream.awaitEverything(Duration.ofSeconds(20));

        relay.cut();
        for (int i = 0; i < 5; i++) {
            for (String user : users) {
                mail.send(plain(user, stream.next(user)));
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> operatorView(mailboxes.getFirst())
                .contains("MaxBpmonlineDownTime"));
        Thread.sleep(15_000);
        relay.restore();

        stream.awaitEverything(Duration.ofSeconds(60));
        assertExactlyOnceInOrder(stream);
        assertThat(operatorView(mailboxes.getFirst())).contains("\"deliveryProblem\":null");
    }

    @Test
    void deliversEverythingOnceWhileTheMailServerDropsEveryConnectionRepeatedly() throws Exception {
        MailStream stream = new MailStream("IMAP drops", creatio);
        relay = new TcpProxy("127.0.0.1", mail.imapPort());
        List<String> users = mailboxes(2, creatio.bpmEndpoint(), relay.port());

        for (int drop = 0; drop < 4; drop++) {
            for (String user : users) {
                mail.send(plain(user, stream.next(user)));
            }
            Thread.sleep(700);
            relay.cut();
            for (String user : users) {
                mail.send(plain(user, stream.next(user)));
            }
            Thread.sleep(500);
            relay.restore();
        }

        stream.awaitEverything(Duration.ofSeconds(60));
        assertExactlyOnceInOrder(stream);
    }

    @Test
    void deliversNothingTwiceWhenAFolderIsRecreatedUnderANewUidValidity() throws Exception {
        MailStream stream = new MailStream("UIDVALIDITY change", creatio);
        String user = "renumbered-" + UUID.randomUUID() + "@example.com";
        GreenMailUser account = mail.greenMail().setUser(user, user, "secret");
        ImapHostManager folders = mail.greenMail().getManagers().getImapHostManager();
        MailFolder projects = folders.createMailbox(account, "Projects");
        api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(UUID.randomUUID(),
                "127.0.0.1", mail.imapPort(), user, "secret", creatio.bpmEndpoint(), List.of("Projects"))));
        MimeMessage first = plain(user, stream.next(user));
        MimeMessage second = plain(user, stream.next(user));
        projects.store(first);
        projects.store(second);
        stream.awaitEverything(Duration.ofSeconds(30));

        Thread.sleep(1100);
        folders.deleteMailbox(account, "Projects");
        MailFolder recreated = folders.createMailbox(account, "Projects");
        recreated.appendMessage(first, new Flags(), new Date());
        recreated.appendMessage(second, new Flags(), new Date());
        recreated.store(plain(user, stream.next(user)));

        stream.awaitEverything(Duration.ofSeconds(30));
        assertExactlyOnceInOrder(stream);
    }

    private List<String> mailboxes(int count, String bpmEndpoint, int imapPort) {
        return mailboxes(count, bpmEndpoint, imapPort, new ArrayList<>());
    }

    private List<String> mailboxes(int count, String bpmEndpoint, int imapPort, List<UUID> ids) {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "fault-" + UUID.randomUUID() + "@example.com";
            mail.addUser(user, "secret");
            UUID id = UUID.randomUUID();
            var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                    id, "127.0.0.1", imapPort, user, "secret", bpmEndpoint, List.of())));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            users.add(user);
            ids.add(id);
        }
        return users;
    }

    private String operatorView(UUID mailbox) {
        return management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body();
    }

    private static int port(String url) {
        return URI.create(url).getPort();
    }

    private static void assertExactlyOnceInOrder(MailStream stream) throws InterruptedException {
        Thread.sleep(2000);
        MailStream.Report report = stream.report();
        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.outOfOrder()).as("out of order").isZero();
        assertThat(report.delivered()).isEqualTo(report.sent());
    }
}
