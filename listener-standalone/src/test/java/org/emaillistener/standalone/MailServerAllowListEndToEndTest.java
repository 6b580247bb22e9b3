package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * With {@code listener.mail-servers.allowed-hosts} the operator names the mail servers a caller may
 * have the listener connect to (issue 14, finding 5): any other host gets no connection, from a
 * registration, a validation or a send, and the refusal names the setting. Here only
 * {@code localhost} is allowed, which leads to the same GreenMail as the refused 127.0.0.1.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.mail-servers.allowed-hosts=localhost")
class MailServerAllowListEndToEndTest extends EndToEndTest {

    @Test
    void aMailServerTheOperatorDidNotNameGetsNoConnection() throws Exception {
        try (SilentServer internal = new SilentServer()) {
            String mailbox = CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", internal.port(),
                    "probe@example.com", "secret", creatio.bpmEndpoint(), List.of());

            var created = api().post("/api/listeners/create", CreatioRequests.array(mailbox));
            var validated = api().post("/api/mailbox/validate", mailbox);
            var sent = api().post("/apiv2/email/send", SendRequests.htmlEmail("probe@example.com", "Hi",
                    "dave@example.com", "erin@example.com", mailbox));

            assertThat(created.statusCode()).isEqualTo(400);
            assertThat(created.body()).contains("not a mail server this listener connects to")
                    .contains("listener.mail-servers.allowed-hosts");
            assertThat(validated.statusCode()).isEqualTo(400);
            assertThat(sent.body()).startsWith("The email was not sent").contains("listener.mail-servers.allowed-hosts");
            assertThat(internal.accepted()).isEmpty();
        }
    }

    @Test
    void aMailServerTheOperatorNamedIsServed() {
        String user = "allowed-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");

        var validated = api().post("/api/mailbox/validate", CreatioRequests.imapMailbox(UUID.randomUUID(),
                "localhost", mail.imapPort(), user, "secret", creatio.bpmEndpoint(), List.of()));

        assertThat(validated.body()).contains("\"IsValid\":true");
    }
}
