package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * No login in clear text that the user did not choose (issue 14, finding 7). Creatio's SecureOption
 * Auto on a port without TLS from the first byte: someone on the path who strips the server's
 * STARTTLS offer gets no password, neither from a validation nor from a send (MailKit's Auto, which
 * Creatio's own client uses, would log in in clear text). An {@code http://} EWS address, which would
 * carry Basic credentials in clear text, is refused unless the operator allows its host (the tests
 * allow 127.0.0.1 for their fake Exchange). Each refusal names the setting that allows it.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlaintextLoginEndToEndTest extends EndToEndTest {

    private static final int AUTO = 1;
    private static final String PASSWORD = "Correct-Horse-7";

    @Test
    void anImapLoginUnderAutoIsNotSentWhenTheStartTlsOfferIsStripped() throws Exception {
        try (StrippedServer stripped = new StrippedServer(StrippedServer.Protocol.IMAP)) {
            var response = api().post("/api/mailbox/validate", auto(CreatioRequests.imapMailbox(UUID.randomUUID(),
                    "127.0.0.1", stripped.port(), "victim@example.com", PASSWORD, creatio.bpmEndpoint(), List.of())));

            assertThat(response.body()).contains("\"IsValid\":false").contains("offers no STARTTLS")
                    .contains("listener.imap.plaintext-hosts").contains("\"Data\":\"TLS\"");
            assertNoPasswordIn(stripped.received());
            assertThat(stripped.received()).noneMatch(line -> line.toUpperCase().contains(" LOGIN ")
                    || line.toUpperCase().contains(" AUTHENTICATE "));
        }
    }

    @Test
    void anSmtpLoginUnderAutoIsNotSentWhenTheStartTlsOfferIsStripped() throws Exception {
        try (StrippedServer stripped = new StrippedServer(StrippedServer.Protocol.SMTP)) {
            String credentials = auto(CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", stripped.port(),
                    "victim@example.com", PASSWORD, creatio.bpmEndpoint(), List.of()));

            var response = api().post("/apiv2/email/send", SendRequests.htmlEmail("victim@example.com", "Hello",
                    "dave@example.com", "erin@example.com", credentials));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("The email was not sent").contains("offers no STARTTLS");
            assertNoPasswordIn(stripped.received());
            assertThat(stripped.received()).noneMatch(line -> line.toUpperCase().startsWith("AUTH"));
        }
    }

    @Test
    void anHttpEwsAddressTheOperatorDidNotAllowGetsNoLogin() throws Exception {
        try (SilentServer ews = new SilentServer()) {
            String url = "http://localhost:" + ews.port() + "/EWS/Exchange.asmx";
            String mailbox = CreatioRequests.exchangeMailbox(UUID.randomUUID(), url, "victim@example.com", PASSWORD,
                    creatio.bpmEndpoint(), List.of(), 0);

            var created = api().post("/api/listeners/create", CreatioRequests.array(mailbox));
            var validated = api().post("/api/mailbox/validate", mailbox);

            assertThat(created.statusCode()).isEqualTo(400);
            assertThat(created.body()).contains("would send the login in clear text")
                    .contains("listener.exchange.plaintext-hosts");
            assertThat(validated.statusCode()).isEqualTo(400);
            assertThat(ews.accepted()).isEmpty();
        }
    }

    private static String auto(String mailbox) {
        return mailbox.replace("SecureOption:0", "SecureOption:" + AUTO);
    }

    private static void assertNoPasswordIn(List<String> lines) {
        String plain = Base64.getEncoder().encodeToString(("\0victim@example.com\0" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        String login = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThat(lines).isNotEmpty().noneMatch(line -> line.contains(PASSWORD) || line.contains(plain)
                || line.contains(login));
    }
}
