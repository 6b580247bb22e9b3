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
 * A Creatio that is down: the jobs are deferred, never dead-lettered, and past
 * {@code MaxBpmonlineDownTime} the mailbox's state says why its mail waits. A Creatio that refuses a
 * message: the job reaches its delivery limit and the state says why. Either way nothing is lost:
 * once Creatio takes the mail the next job delivers everything and clears the problem.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.delivery-limit=2", "listener.jobs.retry-initial-delay=100ms",
                "listener.jobs.retry-max-delay=200ms", "listener.operator.api-key=operator-key",
                "listener.creatio.circuit.open-for=1s", "listener.creatio.max-down-time=2s" })
class DeliveryProblemEndToEndTest extends EndToEndTest {

    @Test
    void saysWhyMailWaitsWhileCreatioIsDownLongerThanMaxBpmonlineDownTimeAndDeadLettersNothing() throws Exception {
        String user = "down-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        creatio.answerNext("ProcessFullEmail", Collections.nCopies(100_000, 503).toArray(Integer[]::new));
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "Waits for Creatio to be up"));

        await().atMost(Duration.ofSeconds(20)).until(() -> operatorView(mailbox).contains("MaxBpmonlineDownTime"));
        Thread.sleep(3000);
        creatio.answerNormally();
        long back = System.nanoTime();

        await().atMost(Duration.ofSeconds(30)).until(() -> creatio.acceptedSubjects()
                .contains("Waits for Creatio to be up"));
        // The deferral back-off is capped at 15 s (listener.jobs.deferral-max-delay) and the circuit's open-for is 1 s.
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(20));
        assertThat(management().get("/actuator/prometheus").body()).doesNotContainPattern(
                "email_listener_sync_jobs_dead_lettered_total(\\{[^}]*\\})? [1-9]");
        await().atMost(Duration.ofSeconds(5)).until(() -> operatorView(mailbox).contains("\"deliveryProblem\":null"));
    }

    @Test
    void saysWhyMailWaitsAfterTheDeliveryLimitAndDeliversItOnceCreatioTakesIt() throws Exception {
        String user = "problem-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        // Creatio answers (its own exceptions are 400s): a failure of the job, not a deferral.
        creatio.answerNext("ProcessFullEmail", 400, 400);
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "Waits for Creatio"));

        await().atMost(Duration.ofSeconds(20)).until(() -> operatorView(mailbox).contains("\"deliveryProblem\":{"));
        assertThat(operatorView(mailbox)).contains("HTTP 400", "\"folder\":\"INBOX\"");
        assertThat(management().get("/actuator/prometheus").body()).contains("email_listener_sync_jobs_dead_lettered_total");

        creatio.answerNormally();
        mail.send(plain(user, "Sent when Creatio is back"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects()
                .containsAll(List.of("Waits for Creatio", "Sent when Creatio is back")));
        Thread.sleep(1000);
        assertThat(creatio.acceptedSubjects()).containsOnlyOnce("Waits for Creatio", "Sent when Creatio is back");
        assertThat(operatorView(mailbox)).contains("\"deliveryProblem\":null");
        assertThat(management().get("/operator/mailboxes?q=" + mailbox, "X-Api-Key", "operator-key").body())
                .contains("\"id\":\"" + mailbox + "\"", "\"owner\":\"", "\"state\":\"LISTENING\"", "\"lastEventAt\":\"", "\"total\":1")
                .doesNotContain("secret");
    }

    private String operatorView(UUID mailbox) {
        return management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body();
    }
}
