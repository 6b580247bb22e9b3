package org.emaillistener.common.creatio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A Creatio that keeps failing is left alone for a while; another Creatio is not. */
class CreatioCircuitsTest {

    private final CreatioStandIn failing;
    private final CreatioStandIn healthy;
    private final CreatioClient client = new CreatioClient(CreatioJson.mapper(),
            new CreatioProperties(Duration.ofSeconds(2), Duration.ofSeconds(2), 3, Duration.ofMillis(500), Duration.ofMinutes(10)),
            new CallbackAllowList(List.of()), new SimpleMeterRegistry());

    CreatioCircuitsTest() throws Exception {
        failing = new CreatioStandIn();
        healthy = new CreatioStandIn();
    }

    @AfterEach
    void stop() {
        failing.close();
        healthy.close();
    }

    @Test
    void failsAtOnceAfterConsecutiveFailuresThenTriesAgain() throws Exception {
        failing.answerNext("ProcessFullEmail", 500, 503, 502);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> deliver(failing)).isInstanceOf(CreatioCallFailedException.class);
        }

        assertThatThrownBy(() -> deliver(failing)).hasMessageContaining("circuit is open");
        assertThat(failing.calls("ProcessFullEmail")).hasSize(3);
        deliver(healthy);

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
            deliver(failing);
            return true;
        });
        assertThat(failing.calls("ProcessFullEmail")).hasSize(4);
    }

    @Test
    void countsCreatiosOwnExceptionsAsAnswers() {
        failing.answerNext("ProcessFullEmail", 400, 400, 400, 400);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> deliver(failing)).hasMessageContaining("HTTP 400");
        }
        assertThat(failing.calls("ProcessFullEmail")).hasSize(4);
    }

    private void deliver(CreatioStandIn creatio) throws CreatioCallFailedException {
        SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(
                "{Id:\"11111111-2222-3333-4444-555555555555\",BpmEndpoint:\"" + creatio.bpmEndpoint() + "\"}",
                SynchronizationCredentials.class);
        client.deliver(mailbox, List.of(new Email(null, "s", "b", "a@example.com", null, null, null, null, 1, false,
                null, 0, "<m@example.com>", null, null)));
    }
}
