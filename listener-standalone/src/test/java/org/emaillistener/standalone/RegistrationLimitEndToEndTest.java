package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@code listener.primary.max-mailboxes-per-creatio-host} bounds what the registrations naming one
 * Creatio host take (issue 14, finding 6): past it a registration is refused with 403 and the
 * setting's name; an update of a registered mailbox still passes, and a closed one makes room.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.primary.max-mailboxes-per-creatio-host=2")
class RegistrationLimitEndToEndTest extends EndToEndTest {

    @Test
    void aCreatioHostGetsNoMoreMailboxesThanTheLimit() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        UUID third = UUID.randomUUID();

        assertThat(create(first).statusCode()).isEqualTo(200);
        assertThat(create(second).statusCode()).isEqualTo(200);
        var refused = create(third);
        var updated = api().post("/api/listeners/update", CreatioRequests.array(mailbox(first)));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Creatio host 127.0.0.1 has 2 mailboxes registered")
                .contains("listener.primary.max-mailboxes-per-creatio-host");
        assertThat(api().stateOf(third.toString())).isEqualTo("closed");
        assertThat(updated.statusCode()).isEqualTo(200);

        assertThat(api().post("/api/listeners/close", CreatioRequests.ids(second)).statusCode()).isEqualTo(200);
        assertThat(create(third).statusCode()).isEqualTo(200);
    }

    private java.net.http.HttpResponse<String> create(UUID id) {
        return api().post("/api/listeners/create", CreatioRequests.array(mailbox(id)));
    }

    private String mailbox(UUID id) {
        String user = "limit-" + id + "@example.com";
        mail.addUser(user, "secret");
        return CreatioRequests.imapMailbox(id, "127.0.0.1", mail.imapPort(), user, "secret", creatio.bpmEndpoint(),
                List.of());
    }
}
