package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A mail server that echoes the LOGIN it refuses, password included (issue 14, finding 8): the
 * password reaches neither the answer to {@code validate}, nor Creatio's {@code ProcessMailboxState},
 * nor the log, and the reason still says the login was refused.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EchoedPasswordEndToEndTest extends EndToEndTest {

    private static final String PASSWORD = "Echoed-Pa55word-9";

    @Test
    void aPasswordTheServerEchoesIsTakenOutOfEveryAnswerReportAndLogLine(CapturedOutput output) throws Exception {
        try (StrippedServer echoing = StrippedServer.echoingLogins()) {
            UUID id = UUID.randomUUID();
            String mailbox = CreatioRequests.imapMailbox(id, "127.0.0.1", echoing.port(), "victim@example.com",
                    PASSWORD, creatio.bpmEndpoint(), List.of());

            var validated = api().post("/api/mailbox/validate", mailbox);
            assertThat(api().post("/api/listeners/create", CreatioRequests.array(mailbox)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> creatio.calls("ProcessMailboxState").stream()
                    .anyMatch(call -> call.body().get("MailboxId").asString().equals(id.toString())));

            assertThat(echoing.received()).anyMatch(line -> line.contains(PASSWORD));
            assertThat(validated.body()).contains("\"IsValid\":false", "rejected the login", "********")
                    .doesNotContain(PASSWORD);
            assertThat(creatio.calls("ProcessMailboxState").stream().map(call -> call.body().toString())
                    .filter(body -> body.contains(id.toString()))).isNotEmpty()
                    .allSatisfy(body -> assertThat(body).contains("rejected the login").doesNotContain(PASSWORD));
            assertThat(output.getAll()).contains("rejected the login").doesNotContain(PASSWORD);
        }
    }
}
