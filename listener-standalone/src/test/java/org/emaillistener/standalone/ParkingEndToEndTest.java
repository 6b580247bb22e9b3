package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A message Creatio keeps refusing does not block the mailbox: after its limit it is parked with the
 * reason, the mail behind it flows, and an operator can deliver it again.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.sync.max-rejections=3", "listener.jobs.retry-initial-delay=100ms",
                "listener.jobs.retry-max-delay=300ms", "listener.operator.api-key=operator-key" })
class ParkingEndToEndTest extends EndToEndTest {

    @Test
    void parksAMessageCreatioKeepsRefusingDeliversTheRestAndRedeliversItOnRequest() throws Exception {
        String user = "parking-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        UUID mailbox = subscribe(user, "secret", List.of());
        creatio.refuseEmails(email -> email.get("Subject").asString().equals("Poison"));

        mail.send(plain(user, "Poison"));
        mail.send(plain(user, "Behind the poison"));

        await().atMost(Duration.ofSeconds(30)).until(() -> creatio.acceptedSubjects().contains("Behind the poison"));
        String view = operatorView(mailbox);
        assertThat(view).contains("\"parkedMessages\":[{", "\"subject\":\"Poison\"", "HTTP 400", "\"folder\":\"INBOX\"");
        assertThat(creatio.acceptedSubjects()).doesNotContain("Poison");

        creatio.refuseEmails(email -> false);
        var redeliver = management().post("/operator/mailboxes/" + mailbox + "/parked/1/redeliver?folder=INBOX", "",
                "X-Api-Key", "operator-key");

        assertThat(redeliver.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("Poison"));
        await().atMost(Duration.ofSeconds(5)).until(() -> operatorView(mailbox).contains("\"parkedMessages\":[]"));
        assertThat(creatio.acceptedSubjects()).containsOnlyOnce("Poison", "Behind the poison");
    }

    private String operatorView(UUID mailbox) {
        return management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body();
    }
}
