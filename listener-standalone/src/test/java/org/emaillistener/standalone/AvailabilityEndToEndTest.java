package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@code /api/availability/app}: Creatio sends its callback URL as a bare JSON string and expects
 * the raw text {@code pong} when the listener can reach it. Creatio may take at most 1 s here.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.api.availability-timeout=1s")
class AvailabilityEndToEndTest extends EndToEndTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The stand-in answers the GET with 404: any HTTP answer proves Creatio can be reached. */
    @Test
    void answersPongWhenCreatioAnswers() throws Exception {
        HttpResponse<byte[]> response = availability("\"" + creatio.bpmEndpoint() + "\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("pong".getBytes(StandardCharsets.US_ASCII));
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
    }

    @Test
    void answersBadGatewayNamingTheHostWhenNothingListens() throws Exception {
        int closed = SilentServer.closedPort();

        HttpResponse<byte[]> response = availability(
                "\"http://127.0.0.1:" + closed + "/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail\"");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .contains("\"error\":\"Bad Gateway\"", "cannot reach Creatio at 127.0.0.1:" + closed,
                        "no connection could be made");
    }

    @Test
    void answersGatewayTimeoutWhenCreatioNeverAnswers() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = availability("\"http://127.0.0.1:" + silent.port() + "/\"");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("no answer within 1000 ms");
            assertThat(elapsed).isLessThan(Duration.ofSeconds(3));
        }
    }

    /** As Creatio calls it; its JSON client may well ask for JSON, which must not change the answer. */
    private HttpResponse<byte[]> availability(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/availability/app"))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
