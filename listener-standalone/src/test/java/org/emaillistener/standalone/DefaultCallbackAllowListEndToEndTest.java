package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The shipped default of {@code listener.callbacks.allowed-hosts}, empty (issue 14, finding 4): a
 * stranger can neither have the listener call an admin endpoint on its own loopback through
 * {@code /api/availability/app}, nor use its answers to scan ports, nor register a mailbox whose
 * mail would go there. (The other tests allow the Creatio stand-in's 127.0.0.1.)
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.callbacks.allowed-hosts=")
class DefaultCallbackAllowListEndToEndTest extends EndToEndTest {

    @Test
    void anEmptyAllowListCallsNoHostAtAll() {
        String admin = "http://127.0.0.1:" + port + "/internal-admin/delete?all=1";
        String closed = "http://127.0.0.1:" + SilentServer.closedPort() + "/";

        var reachable = api().post("/api/availability/app", "\"" + admin + "\"");
        var scanned = api().post("/api/availability/app", "\"" + closed + "\"");
        var registered = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                UUID.randomUUID(), "127.0.0.1", mail.imapPort(), "u@example.com", "p", creatio.bpmEndpoint(),
                List.of())));

        for (var response : List.of(reachable, scanned, registered)) {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("listener.callbacks.allowed-hosts is empty").doesNotContain("pong");
        }
        assertThat(creatio.operations()).isEmpty();
    }
}
