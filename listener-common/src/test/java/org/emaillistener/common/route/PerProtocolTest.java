package org.emaillistener.common.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** One implementation of a role per protocol, or the application does not start. */
class PerProtocolTest {

    private record Role(MailProtocol protocol) implements ForProtocol {
    }

    @Test
    void looksUpTheImplementationOfTheRoutesProtocol() {
        Role ews = new Role(MailProtocol.EWS);
        PerProtocol<Role> roles = PerProtocol.from("Role",
                List.of(new Role(MailProtocol.IMAP), ews, new Role(MailProtocol.GRAPH)));

        assertThat(roles.of(new MailRoute(MailProtocol.EWS, "EWS"))).isSameAs(ews);
    }

    @Test
    void refusesAProtocolWithoutAnImplementation() {
        assertThatThrownBy(() -> PerProtocol.from("Role", List.of(new Role(MailProtocol.IMAP))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Role has no implementation for EWS, GRAPH");
    }

    @Test
    void refusesAProtocolWithTwoImplementations() {
        assertThatThrownBy(() -> PerProtocol.from("Role", List.of(new Role(MailProtocol.IMAP),
                new Role(MailProtocol.IMAP), new Role(MailProtocol.EWS), new Role(MailProtocol.GRAPH))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Role has two implementations for IMAP");
    }
}
