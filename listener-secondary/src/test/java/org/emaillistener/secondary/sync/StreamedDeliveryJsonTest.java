package org.emaillistener.secondary.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.secondary.mime.ConvertedEmail;
import org.emaillistener.secondary.mime.EmailConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class StreamedDeliveryJsonTest {

    @TempDir
    Path directory;

    @Test
    void streamedDeliveryPostsTheSameJsonAsTheEmailInMemory() throws Exception {
        Path message = directory.resolve("message.eml");
        LargeMailDelivery.writeMessage(message, 100_000);
        EmailConverter converter = new EmailConverter();
        try (CreatioStandIn creatio = new CreatioStandIn()) {
            SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(
                    UUID.randomUUID(), "127.0.0.1", 143, "jane@example.com", "secret", creatio.bpmEndpoint(),
                    List.of()), SynchronizationCredentials.class);
            CreatioClient client = new CreatioClient(CreatioJson.mapper(),
                    CreatioProperties.of(Map.of("connect-timeout", "10s", "request-timeout", "60s")),
                    new CallbackAllowList(List.of("127.0.0.1")), new SimpleMeterRegistry());
            Instant receivedAt = Instant.parse("2024-02-03T04:05:06Z");

            client.deliver(mailbox, List.of(converter.convert(Files.readAllBytes(message), receivedAt)));
            try (ConvertedEmail email = converter.convert(message, receivedAt, Long.MAX_VALUE)) {
                client.deliver(mailbox, email.email(), email.attachments(), directory);
            }

            List<CreatioStandIn.Call> calls = creatio.calls("ProcessFullEmail");
            assertThat(calls).hasSize(2);
            assertThat(calls.get(1).body()).isEqualTo(calls.get(0).body());
            assertThat(calls.get(1).body().toString()).isEqualTo(calls.get(0).body().toString());
        }
        try (var left = Files.list(directory)) {
            assertThat(left).containsExactly(message);
        }
    }
}
