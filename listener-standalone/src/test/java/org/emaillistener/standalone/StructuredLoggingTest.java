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

/** One setting turns the logs into JSON lines that name the mailbox and never its secrets. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.structured.format.console=logstash")
class StructuredLoggingTest extends EndToEndTest {

    @Test
    void logsJsonLinesWithTheMailboxIdAndNoSecret(CapturedOutput output) {
        UUID mailbox = UUID.randomUUID();
        api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(mailbox, "127.0.0.1", 1,
                "logged@example.com", "Pa55word-never-logged", creatio.bpmEndpoint(), List.of())));

        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("cannot be reached"));
        String line = output.getOut().lines().filter(candidate -> candidate.contains("cannot be reached"))
                .findFirst().orElseThrow();
        assertThat(line).startsWith("{").contains("\"mailboxId\":\"" + mailbox + "\"");
        assertThat(output.getAll()).doesNotContain("Pa55word-never-logged");
    }
}
