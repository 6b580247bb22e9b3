package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import tools.jackson.databind.JsonNode;

/**
 * With {@code listener.creatio.legacy-new-email}, an Exchange mailbox whose {@code BpmEndpoint} ends in
 * {@code /NewEmail} (as Creatio's setup guides have admins set it) gets Creatio's legacy callback: the
 * new item's EWS id in {@code NewEmail}'s wrapped event, which Creatio loads itself; an IMAP mailbox
 * with the same endpoint still gets {@code ProcessFullEmail} (Creatio cannot load IMAP mail by id).
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.creatio.legacy-new-email=true", "listener.jobs.retry-initial-delay=200ms",
                "listener.exchange.request-timeout=10s" })
class ExchangeLegacyNewEmailEndToEndTest extends EndToEndTest {

    static FakeExchange exchange;

    @BeforeAll
    static void startExchange() throws Exception {
        exchange = new FakeExchange();
        exchange.setHeartbeatInterval(Duration.ofSeconds(1));
    }

    @AfterAll
    static void stopExchange() {
        exchange.close();
    }

    @Test
    void announcesEachNewExchangeItemByItsIdAtNewEmailWithin5Seconds() throws Exception {
        String user = "legacy-" + UUID.randomUUID() + "@example.com";
        exchange.addUser(user, "secret");
        UUID mailbox = UUID.randomUUID();
        String newEmail = creatio.bpmEndpoint().replace("/ProcessFullEmail", "/NewEmail");
        var created = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.exchangeMailbox(
                mailbox, exchange.ewsUrl(), user, "secret", newEmail, List.of(), 0)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> exchange.openStreams(user) > 0);

        long sent = System.nanoTime();
        String item = exchange.createMessage(user, exchange.folderId(user, "inbox"),
                mime(user, "Legacy", "<legacy-" + user + ">"));

        await().atMost(Duration.ofSeconds(5)).until(() -> announced(mailbox).contains(item));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        Thread.sleep(1500);
        assertThat(announced(mailbox)).containsExactly(item);
        JsonNode event = creatio.calls("NewEmail").getLast().body().get("newEvent");
        assertThat(event.get("id").asString()).isEqualTo(mailbox.toString());
        assertThat(event.get("eventTimeStamp").isIntegralNumber()).isTrue();
        assertThat(creatio.acceptedEmails()).noneMatch(email -> email.get("Subject").asString().equals("Legacy"));
    }

    @Test
    void anImapMailboxWithTheSameEndpointStillGetsTheFullEmail() throws Exception {
        String user = "legacy-imap-" + UUID.randomUUID() + "@example.com";
        mail.greenMail().setUser(user, user, "secret");
        UUID mailbox = UUID.randomUUID();
        String newEmail = creatio.bpmEndpoint().replace("/ProcessFullEmail", "/NewEmail");
        var created = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                mailbox, "127.0.0.1", mail.imapPort(), user, "secret", newEmail, List.of())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Thread.sleep(1000);

        mail.send(plain(user, "Legacy IMAP"));

        await().atMost(Duration.ofSeconds(10)).until(() -> creatio.acceptedSubjects().contains("Legacy IMAP"));
        assertThat(announced(mailbox)).isEmpty();
    }

    private static List<String> announced(UUID mailbox) {
        return creatio.calls("NewEmail").stream().map(call -> call.body().get("newEvent"))
                .filter(event -> event.get("id").asString().equals(mailbox.toString()))
                .flatMap(event -> event.get("uniqueIds").valueStream().map(JsonNode::asString)).toList();
    }
}
