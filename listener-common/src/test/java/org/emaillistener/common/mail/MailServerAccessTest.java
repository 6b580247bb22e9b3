package org.emaillistener.common.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerAccess.Protocol;
import org.emaillistener.common.mail.MailServerAccess.StartTls;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;

/** How Creatio's SecureOption, UseSsl and port become TLS settings, the same for IMAP and SMTP. */
class MailServerAccessTest {

    @Test
    void secureOptionSslMeansTlsFromTheFirstByteOnAnyPort() {
        MailServerAccess access = access(Protocol.SMTP, 2525, false, 2);

        assertThat(access.sslOnConnect()).isTrue();
        assertThat(access.startTls()).isEqualTo(StartTls.NEVER);
        assertThat(access.scheme()).isEqualTo("smtps");
        assertThat(access.propertyPrefix()).isEqualTo("mail.smtps.");
    }

    @Test
    void secureOptionStartTlsRequiresTheUpgradeEvenWhenUseSslIsSet() {
        MailServerAccess access = access(Protocol.SMTP, 587, true, 3);

        assertThat(access.sslOnConnect()).isFalse();
        assertThat(access.startTls()).isEqualTo(StartTls.REQUIRED);
        assertThat(access.sessionProperties()).containsEntry("mail.smtp.starttls.enable", "true")
                .containsEntry("mail.smtp.starttls.required", "true");
    }

    @Test
    void secureOptionAutoUsesTlsFromTheFirstByteOnTheProtocolsSslPort() {
        assertThat(access(Protocol.IMAP, 993, false, 1).sslOnConnect()).isTrue();
        assertThat(access(Protocol.SMTP, 465, false, 1).sslOnConnect()).isTrue();
        assertThat(access(Protocol.SMTP, 993, false, 1).sslOnConnect()).isFalse();
    }

    @Test
    void secureOptionAutoElsewhereRequiresStartTlsSoThatNobodyCanStripTheOffer() {
        MailServerAccess access = access(Protocol.SMTP, 587, false, 1);

        assertThat(access.sslOnConnect()).isFalse();
        assertThat(access.startTls()).isEqualTo(StartTls.REQUIRED);
        assertThat(access.sessionProperties()).containsEntry("mail.smtp.starttls.enable", "true")
                .containsEntry("mail.smtp.starttls.required", "true");
    }

    @Test
    void secureOptionAutoStaysPlaintextWithoutAnOfferOnlyOnHostsTheOperatorAllows() {
        SynchronizationCredentials server = server("Mail.Example.com", 143, false, 1, false);

        MailServerAccess allowed = MailServerAccess.of(Protocol.IMAP, server, List.of(), List.of("mail.example.com"));
        assertThat(allowed.startTls()).isEqualTo(StartTls.IF_OFFERED);
        assertThat(allowed.sessionProperties()).containsEntry("mail.imap.starttls.enable", "true")
                .doesNotContainKey("mail.imap.starttls.required");
        assertThat(MailServerAccess.of(Protocol.IMAP, server, List.of(), List.of("*")).startTls())
                .isEqualTo(StartTls.IF_OFFERED);
        assertThat(MailServerAccess.of(Protocol.IMAP, server, List.of(), List.of("other.example.com")).startTls())
                .isEqualTo(StartTls.REQUIRED);
    }

    @Test
    void secureOptionNoneFollowsUseSslAsOlderCreatioMeantIt() {
        assertThat(access(Protocol.IMAP, 993, true, 0).scheme()).isEqualTo("imaps");
        MailServerAccess plain = access(Protocol.IMAP, 143, false, 0);
        assertThat(plain.scheme()).isEqualTo("imap");
        assertThat(plain.startTls()).isEqualTo(StartTls.NEVER);
        assertThat(plain.sessionProperties()).doesNotContainKey("mail.imap.starttls.enable");
    }

    @Test
    void verifiesCertificatesUnlessTheOperatorTrustsTheHost() {
        SynchronizationCredentials server = server("https://mail.example.com/", 465, true, 2, false);

        assertThat(MailServerAccess.of(Protocol.SMTP, server, List.of()).sessionProperties())
                .containsEntry("mail.smtps.ssl.checkserveridentity", "true").doesNotContainKey("mail.smtps.ssl.trust");
        assertThat(MailServerAccess.of(Protocol.SMTP, server, List.of("mail.example.com")).sessionProperties())
                .containsEntry("mail.smtps.ssl.checkserveridentity", "false")
                .containsEntry("mail.smtps.ssl.trust", "mail.example.com");
        assertThat(MailServerAccess.of(Protocol.SMTP, server, List.of("*")).trusted()).isTrue();
    }

    @Test
    void readsTheHostOutOfAUrlOrATrailingSlash() {
        assertThat(MailServerAccess.host("https://smtp.example.com:465/")).isEqualTo("smtp.example.com");
        assertThat(MailServerAccess.host(" smtp.example.com/ ")).isEqualTo("smtp.example.com");
        assertThat(MailServerAccess.host("smtp.example.com")).isEqualTo("smtp.example.com");
    }

    @Test
    void logsInWithTheMailboxAddressWhenTheUserNameIsEmpty() {
        SynchronizationCredentials server = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(
                UUID.randomUUID(), "smtp.example.com", 587, "", "secret", "http://creatio/", List.of())
                .replace("SenderEmailAddress:\"\"", "SenderEmailAddress:\"jane@example.com\""),
                SynchronizationCredentials.class);

        assertThat(MailServerAccess.of(Protocol.SMTP, server, List.of()).loginName()).isEqualTo("jane@example.com");
    }

    @Test
    void asksForXoauth2WithAnAccessToken() {
        MailServerAccess access = MailServerAccess.of(Protocol.SMTP, server("smtp.example.com", 587, false, 3, true),
                List.of());

        assertThat(access.xoauth2()).isTrue();
        assertThat(access.sessionProperties()).containsEntry("mail.smtp.auth.mechanisms", "XOAUTH2");
    }

    private static MailServerAccess access(Protocol protocol, int port, boolean useSsl, int secureOption) {
        return MailServerAccess.of(protocol, server("mail.example.com", port, useSsl, secureOption, false), List.of());
    }

    private static SynchronizationCredentials server(String host, int port, boolean useSsl, int secureOption,
            boolean oauth) {
        String mailbox = CreatioRequests.imapMailbox(UUID.randomUUID(), host, port, "jane@example.com", "secret",
                "http://creatio/", List.of())
                .replace("UseSsl:false,SecureOption:0", "UseSsl:" + useSsl + ",SecureOption:" + secureOption);
        if (oauth) {
            mailbox = CreatioRequests.withOAuth(mailbox, "token");
        }
        return CreatioJson.mapper().readValue(mailbox, SynchronizationCredentials.class);
    }
}
