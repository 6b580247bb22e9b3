package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.TlsProxy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/mailbox/validate} really logs in and answers HTTP 200 with Creatio's
 * {@code {IsValid,Message,Data}} either way; the message tells the user what to fix. A mail server
 * may take at most 2 s here.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.api.mailbox-timeout=2s")
class MailboxValidationEndToEndTest extends EndToEndTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void acceptsCredentialsTheServerAccepts() {
        String user = "valid-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");

        var response = api().post("/api/mailbox/validate", mailbox(user, "secret", mail.imapPort()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"IsValid\":true,\"Message\":\"\",\"Data\":\"\"}");
    }

    @Test
    void needsNoCallbackUrl() {
        String user = "no-endpoint-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        String withoutEndpoint = mailbox(user, "secret", mail.imapPort())
                .replace("BpmEndpoint:\"" + creatio.bpmEndpoint() + "\"", "BpmEndpoint:null");

        assertThat(validate(withoutEndpoint).get("IsValid").asBoolean()).isTrue();
    }

    @Test
    void saysThePasswordWasRejected() {
        String user = "wrong-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "right");

        JsonNode result = validate(mailbox(user, "Hunter2", mail.imapPort()));

        assertThat(result.get("IsValid").asBoolean()).isFalse();
        assertThat(result.get("Message").asString()).contains("rejected the login", "user name and the password")
                .doesNotContain("Hunter2");
        assertThat(result.get("Data").asString()).isEqualTo("AUTHENTICATION");
    }

    @Test
    void saysTheServerCannotBeReached() {
        JsonNode result = validate(mailbox("nobody@example.com", "secret", SilentServer.closedPort()));

        assertThat(result.get("IsValid").asBoolean()).isFalse();
        assertThat(result.get("Message").asString()).contains("cannot be reached", "server address and the port");
        assertThat(result.get("Data").asString()).isEqualTo("UNREACHABLE");
    }

    @Test
    void answersInTimeWhenTheServerNeverGreetsAndDropsTheConnection() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            long start = System.nanoTime();
            JsonNode result = validate(mailbox("silent@example.com", "secret", silent.port()));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(elapsed).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(4));
            assertThat(result.get("IsValid").asBoolean()).isFalse();
            assertThat(result.get("Message").asString()).contains("did not answer within 2 seconds");
            assertThat(result.get("Data").asString()).isEqualTo("TIMEOUT");
            assertThat(silent.accepted()).hasSize(1);
            assertThat(SilentServer.closedByTheClient(silent.accepted().getFirst()))
                    .as("the abandoned connection is closed").isTrue();
        }
    }

    @Test
    void saysTheCertificateCannotBeVerified() throws Exception {
        String user = "tls-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        try (TlsProxy tls = new TlsProxy(mail.imapPort())) {
            String overSsl = mailbox(user, "secret", tls.port())
                    .replace("UseSsl:false,SecureOption:0", "UseSsl:true,SecureOption:2");

            JsonNode result = validate(overSsl);

            assertThat(result.get("IsValid").asBoolean()).isFalse();
            assertThat(result.get("Message").asString()).contains("TLS", "certificate");
            assertThat(result.get("Data").asString()).isEqualTo("TLS");
        }
    }

    /** One mailbox in Creatio's unquoted dialect: an object, not the array create takes. */
    private static String mailbox(String user, String password, int port) {
        return CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", port, user, password,
                creatio.bpmEndpoint(), List.of());
    }

    private JsonNode validate(String body) {
        var response = api().post("/api/mailbox/validate", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
