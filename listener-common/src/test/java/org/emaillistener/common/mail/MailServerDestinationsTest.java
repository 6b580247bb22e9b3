package org.emaillistener.common.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;

import jakarta.mail.MessagingException;

/** A caller names the mail server: never the cloud's metadata service, whatever name leads there. */
class MailServerDestinationsTest {

    @Test
    void refusesLinkLocalAndMetadataAddresses() {
        for (String host : List.of("169.254.169.254", "169.254.0.1", "[fd00:ec2::254]", "fe80::1")) {
            assertThatThrownBy(() -> MailServerDestinations.refuseLinkLocal(host)).as(host)
                    .isInstanceOf(ConnectException.class).hasMessageContaining("link-local");
        }
    }

    @Test
    void letsOtherHostsAndUnknownNamesThrough() {
        for (String host : List.of("127.0.0.1", "10.1.2.3", "192.168.0.10", "no-such-host.invalid")) {
            assertThatCode(() -> MailServerDestinations.refuseLinkLocal(host)).as(host).doesNotThrowAnyException();
        }
    }

    @Test
    void connectsOnlyToTheHostsTheOperatorNamesWhenItNamesAny() {
        MailServerDestinations named = new MailServerDestinations(List.of("mail.example.com", "*.corp.example"));

        assertThatCode(() -> named.check("MAIL.example.com")).doesNotThrowAnyException();
        assertThatCode(() -> named.check("imap.corp.example")).doesNotThrowAnyException();
        for (String host : List.of("127.0.0.1", "evil.example.com", "corp.example.evil")) {
            assertThatThrownBy(() -> named.check(host)).as(host).isInstanceOf(ConnectException.class)
                    .hasMessageContaining(MailServerDestinations.SETTING);
        }
        assertThatThrownBy(() -> new MailServerDestinations(List.of("*")).check("169.254.169.254"))
                .hasMessageContaining("link-local");
    }

    @Test
    void anImapLoginToTheMetadataAddressFailsAtOnceWithTheReason() {
        ImapConnector imap = new ImapConnector(new Binder().bindOrCreate("listener.imap", ImapProperties.class));
        SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(
                UUID.randomUUID(), "169.254.169.254", 143, "jane@example.com", "secret",
                "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                SynchronizationCredentials.class);
        long started = System.nanoTime();

        assertThatThrownBy(() -> imap.connect(mailbox)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("link-local").hasCauseInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(2));
    }
}
