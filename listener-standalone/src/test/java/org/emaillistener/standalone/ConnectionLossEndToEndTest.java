package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import tools.jackson.databind.JsonNode;

/**
 * The mail server goes away and comes back (GreenMail restarted: a new store, new UIDVALIDITY);
 * mail that lands before the subscription has reconnected is still delivered, once. The first
 * reconnect waits 3 s, so the mail is certainly sent while nobody is listening.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.reconnect-initial-delay=3s", "listener.imap.reconnect-max-delay=3s",
                "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s" })
class ConnectionLossEndToEndTest extends EndToEndTest {


    @Test
    void deliversMailThatArrivedWhileTheConnectionWasDown() throws Exception {
        String user = "down@example.com";
        mail.addUser(user, "secret");
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "Before the outage"));
        await().atMost(Duration.ofSeconds(30)).until(() -> creatio.acceptedSubjects().contains("Before the outage"));

        mail.stop();
        // GreenMail takes UIDVALIDITY from the clock's seconds: a restart within the same second
        // would renumber INBOX under the old UIDVALIDITY, which no real server does.
        Thread.sleep(1100);
        mail.start();
        mail.addUser(user, "secret");
        mail.send(plain(user, "During the outage"));

        await().atMost(Duration.ofSeconds(30)).until(() -> creatio.acceptedSubjects().contains("During the outage"));
        Thread.sleep(2000);
        assertThat(creatio.acceptedSubjects()).containsExactly("Before the outage", "During the outage");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("exists");
        List<JsonNode> reports = creatio.calls("ProcessMailboxState").stream().map(CreatioStandIn.Call::body).toList();
        assertThat(reports).allMatch(report -> report.get("MailboxId").asString().equals(mailbox.toString()));
    }
}
