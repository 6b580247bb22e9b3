package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A Creatio that keeps failing: the jobs reach their delivery limit, the mailbox's state says why its
 * mail waits, and nothing is lost: once Creatio is back the next job delivers everything and clears
 * the problem.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.delivery-limit=2", "listener.jobs.retry-initial-delay=100ms",
                "listener.jobs.retry-max-delay=200ms", "listener.operator.api-key=operator-key",
                "listener.creatio.circuit-open-for=1s" })
class DeliveryProblemEndToEndTest extends EndToEndTest {

    @Test
    void saysWhyMailWaitsAfterTheDeliveryLimitAndDeliversItOnceCreatioIsBack() throws Exception {
        String user = "problem-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        creatio.answerNext("ProcessFullEmail", Collections.nCopies(1000, 500).toArray(Integer[]::new));
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "Waits for Creatio"));

        await().atMost(Duration.ofSeconds(20)).until(() -> operatorView(mailbox).contains("\"deliveryProblem\":{"));
        assertThat(operatorView(mailbox)).contains("HTTP 500", "\"folder\":\"INBOX\"");
        assertThat(api().get("/actuator/prometheus").body()).contains("email_listener_sync_jobs_dead_lettered_total");

        creatio.answerNormally();
        mail.send(plain(user, "Sent when Creatio is back"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects()
                .containsAll(List.of("Waits for Creatio", "Sent when Creatio is back")));
        Thread.sleep(1000);
        assertThat(creatio.acceptedSubjects()).containsOnlyOnce("Waits for Creatio", "Sent when Creatio is back");
        assertThat(operatorView(mailbox)).contains("\"deliveryProblem\":null");
        assertThat(api().get("/operator/mailboxes", "X-Api-Key", "operator-key").body())
                .contains("\"id\":\"" + mailbox + "\"", "\"owner\":\"", "\"status\":\"LISTENING\"", "\"lastEventAt\":\"")
                .doesNotContain("secret");
    }

    private String operatorView(UUID mailbox) {
        return api().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body();
    }
}
