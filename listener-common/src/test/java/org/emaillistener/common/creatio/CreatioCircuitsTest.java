package org.emaillistener.common.creatio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A Creatio that fails most calls is left alone for a while, one that fails some calls is retried at
 * once, and another Creatio is not affected by either.
 */
class CreatioCircuitsTest {

    private final CreatioStandIn failing;
    private final CreatioStandIn healthy;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

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
    void opensWhenTheFailureRateIsReachedThenProbesAndCloses() throws Exception {
        CreatioClient client = client(Map.of("circuit.window", "4", "circuit.minimum-calls", "4",
                "circuit.open-for", "500ms", "circuit.half-open-calls", "1", "retry.attempts", "1"));
        failing.answerNext("ProcessFullEmail", 500, 503, 502, 500);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> deliver(client, failing)).isInstanceOf(CreatioCallFailedException.class);
        }

        assertThatThrownBy(() -> deliver(client, failing)).hasMessageContaining("circuit is open")
                .isInstanceOf(CreatioClient.CircuitOpenException.class);
        assertThat(failing.calls("ProcessFullEmail")).hasSize(4);
        deliver(client, healthy);
        assertThat(meters.get("resilience4j.circuitbreaker.state").tag("state", "open")
                .tag("name", "http://127.0.0.1:" + URI.create(failing.bpmEndpoint()).getPort()).gauge().value())
                .isEqualTo(1.0);

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
            deliver(client, failing);
            return true;
        });
        assertThat(failing.calls("ProcessFullEmail")).hasSize(5);
        deliver(client, failing);
    }

    @Test
    void staysClosedWhenOnlySomeCallsFail() throws Exception {
        CreatioClient client = client(Map.of("retry.attempts", "1"));
        for (int round = 0; round < 5; round++) {
            failing.answerNext("ProcessFullEmail", 500, 200, 200, 503, 200, 200, 200, 502, 200, 200);
            for (int i = 0; i < 10; i++) {
                try {
                    deliver(client, failing);
                } catch (CreatioCallFailedException e) {
                    assertThat(e).isNotInstanceOf(CreatioClient.CircuitOpenException.class);
                }
            }
        }

        assertThat(failing.calls("ProcessFullEmail")).hasSize(50);
    }

    @Test
    void triesAFailedCallAgainWithinASecond() throws Exception {
        CreatioClient client = client(Map.of());
        failing.answerNext("ProcessFullEmail", 500, 503, 200);
        long started = System.nanoTime();

        deliver(client, failing);

        assertThat(failing.calls("ProcessFullEmail")).hasSize(3);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void namesTheCalledUrlInAFailureWithoutItsUserInfo() {
        CreatioClient client = client(Map.of("retry.attempts", "1"));
        failing.answerNext("ProcessFullEmail", 500);
        SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(
                "{Id:\"11111111-2222-3333-4444-555555555555\",BpmEndpoint:\""
                        + failing.bpmEndpoint().replace("http://", "http://svc:bpm-secret@") + "\"}",
                SynchronizationCredentials.class);

        assertThatThrownBy(() -> client.deliver(mailbox, List.of(new Email(null, "s", "b", "a@example.com", null,
                null, null, null, 1, false, null, 0, "<m@example.com>", null, null))))
                .hasMessageContaining("HTTP 500").hasMessageContaining("***@127.0.0.1")
                .hasMessageNotContaining("bpm-secret");
    }

    @Test
    void countsCreatiosOwnExceptionsAsAnswersAndDoesNotRepeatThem() {
        CreatioClient client = client(Map.of("circuit.window", "4", "circuit.minimum-calls", "4"));
        failing.answerNext("ProcessFullEmail", 400, 400, 400, 400, 400);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> deliver(client, failing)).hasMessageContaining("HTTP 400");
        }
        assertThat(failing.calls("ProcessFullEmail")).hasSize(5);
    }

    private CreatioClient client(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("connect-timeout", "2s");
        all.putIfAbsent("request-timeout", "2s");
        return new CreatioClient(CreatioJson.mapper(), CreatioProperties.of(all), new CallbackAllowList(List.of("127.0.0.1")),
                meters);
    }

    private static void deliver(CreatioClient client, CreatioStandIn creatio) throws CreatioCallFailedException {
        SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(
                "{Id:\"11111111-2222-3333-4444-555555555555\",BpmEndpoint:\"" + creatio.bpmEndpoint() + "\"}",
                SynchronizationCredentials.class);
        client.deliver(mailbox, List.of(new Email(null, "s", "b", "a@example.com", null, null, null, null, 1, false,
                null, 0, "<m@example.com>", null, null)));
    }
}
