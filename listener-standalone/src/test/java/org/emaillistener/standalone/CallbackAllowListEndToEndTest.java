package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** Only the hosts of {@code listener.callbacks.allowed-hosts} may be named as Creatio's callback. */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.callbacks.allowed-hosts=crm.example.com,*.creatio.com")
class CallbackAllowListEndToEndTest extends EndToEndTest {

    @Test
    void refusesAMailboxWhoseCallbackHostIsNotAllowedAndRegistersNothing() {
        UUID mailbox = UUID.randomUUID();
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(mailbox,
                "127.0.0.1", mail.imapPort(), "u@example.com", "p", creatio.bpmEndpoint(), List.of())));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("listener.callbacks.allowed-hosts", "127.0.0.1");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
    }

    @Test
    void refusesToCheckTheReachabilityOfAHostThatIsNotAllowed() {
        var response = api().post("/api/availability/app", "\"" + creatio.bpmEndpoint() + "\"");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("listener.callbacks.allowed-hosts");
        assertThat(creatio.operations()).isEmpty();
    }

    @Test
    void acceptsAMailboxWhoseCallbackHostIsAllowed() {
        UUID mailbox = UUID.randomUUID();
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(mailbox,
                "127.0.0.1", mail.imapPort(), "u@example.com", "p",
                "https://acme.creatio.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of())));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        api().post("/api/listeners/close", CreatioRequests.ids(mailbox));
    }
}
