package org.emaillistener.primary.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.memory.InMemoryCursors;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.TcpProxy;
import org.emaillistener.common.testing.TlsProxy;
import org.emaillistener.primary.subscription.RecordingEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

class ImapMailboxWatcherTest {

    static final String USER = "watched@example.com";

    GreenMail greenMail;
    InMemoryCursors cursors = new InMemoryCursors();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    RecordingEvents events = new RecordingEvents();
    ImapMailboxWatcher watcher;
    Duration safetySync = Duration.ZERO;
    TlsProxy tls;

    @BeforeEach
    void startMailServer() {
        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        greenMail.start();
        greenMail.setUser(USER, USER, "secret");
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.stop();
        }
        timer.shutdownNow();
        if (tls != null) {
            tls.close();
        }
        greenMail.stop();
    }

    @Test
    void announcesMailThatArrivesWhileIdling() throws Exception {
        watch("secret", Duration.ofMinutes(5), Instant.now());
        await().until(() -> events.listening.size() == 1);

        send("First");

        await().atMost(Duration.ofSeconds(10)).until(() -> events.newMail.contains("INBOX"));
    }

    @Test
    void holdsOneConnectionPerMailbox() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", greenMail.getImap().getPort())) {
            watch("secret", Duration.ofMillis(200), Instant.now(), proxy.port());
            await().until(() -> events.listening.size() == 1);
            Thread.sleep(1000);

            send("While idling");

            await().atMost(Duration.ofSeconds(10)).until(() -> events.newMail.contains("INBOX"));
            assertThat(proxy.connectionsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void keepsListeningAcrossIdleRenewals() throws Exception {
        watch("secret", Duration.ofMillis(200), Instant.now());
        await().until(() -> events.listening.size() == 1);
        Thread.sleep(1500);

        send("After several renewals");

        await().atMost(Duration.ofSeconds(10)).until(() -> events.newMail.contains("INBOX"));
        assertThat(events.failures).isEmpty();
        assertThat(events.listening).hasSize(1);
    }

    @Test
    void asksForASafetySyncOfAFolderWhoseNewestMailIsBeyondItsCursor() throws Exception {
        safetySync = Duration.ofMillis(300);
        watch("secret", Duration.ofMinutes(5), Instant.now());
        await().until(() -> events.listening.size() == 1);

        // Announced, but nothing delivered it (the job was lost): the cursor stays behind.
        send("Announced, never delivered");

        await().atMost(Duration.ofSeconds(10)).until(() -> !events.safetyChecks.isEmpty());
        assertThat(events.safetyChecks).allMatch(folders -> folders.equals(List.of("INBOX")));
    }

    @Test
    void asksForNoSafetySyncOfAFolderDeliveryHasCaughtUpWith() throws Exception {
        safetySync = Duration.ofMillis(300);
        watch("secret", Duration.ofMinutes(5), Instant.now());
        await().until(() -> events.listening.size() == 1);
        send("Delivered");
        await().until(() -> !events.newMail.isEmpty());
        SyncCursor start = cursors.find(UUID.nameUUIDFromBytes(USER.getBytes()), "INBOX").orElseThrow();
        // What the secondary does once Creatio took the message.
        cursors.save(UUID.nameUUIDFromBytes(USER.getBytes()), "INBOX", start.advancedTo(start.lastUid() + 1, Instant.now()));
        events.safetyChecks.clear();

        Thread.sleep(1500);

        assertThat(events.safetyChecks).isEmpty();
    }

    @Test
    void startsTheCursorAfterTheMailReceivedBeforeRegistration() throws Exception {
        send("History 1");
        send("History 2");
        await().until(() -> greenMail.getReceivedMessages().length == 2);
        Thread.sleep(1100);
        Instant registeredAt = Instant.now();
        Thread.sleep(1100);
        send("Arrived between create and the first connection");
        await().until(() -> greenMail.getReceivedMessages().length == 3);

        watch("secret", Duration.ofMinutes(5), registeredAt);
        await().until(() -> events.listening.size() == 1);

        SyncCursor cursor = cursors.find(UUID.nameUUIDFromBytes(USER.getBytes()), "INBOX").orElseThrow();
        assertThat(cursor.lastUid()).isEqualTo(2);
    }

    @Test
    void reportsARejectedLoginAndStopsWhenTheSubscriptionSaysSo() {
        events.retry = false;
        watch("not-the-password", Duration.ofMinutes(5), Instant.now());

        await().atMost(Duration.ofSeconds(10)).until(() -> events.failures.size() == 1);
        assertThat(events.failures.getFirst().kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(events.listening).isEmpty();
    }

    @Test
    void retriesAServerThatCannotBeReached() {
        events.retry = true;
        int port = greenMail.getImap().getPort();
        greenMail.stop();
        watch("secret", Duration.ofMinutes(5), Instant.now(), port);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.failures.size() >= 2);
        assertThat(events.failures).allMatch(failure -> failure.kind() == FailureKind.UNREACHABLE);
    }

    @Test
    void refusesACertificateItCannotVerify() throws Exception {
        events.retry = false;
        watchOverSsl(List.of());

        await().atMost(Duration.ofSeconds(10)).until(() -> events.failures.size() == 1);
        assertThat(events.failures.getFirst().kind()).isEqualTo(FailureKind.TLS);
    }

    @Test
    void trustsACertificateTheOperatorListed() throws Exception {
        watchOverSsl(List.of("127.0.0.1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> events.listening.size() == 1);
        assertThat(events.failures).isEmpty();
    }

    /** IMAP over TLS with a self-signed certificate, in front of GreenMail's plain IMAP. */
    private void watchOverSsl(List<String> sslTrust) throws Exception {
        tls = new TlsProxy(greenMail.getImap().getPort());
        ImapProperties properties = new ImapProperties(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(500), sslTrust, List.of(), 0);
        RegisteredMailbox plain = mailbox("secret", Instant.now(), tls.port());
        SynchronizationCredentials ssl = CreatioJson.mapper().readValue(CreatioJson.mapper()
                .writeValueAsString(plain.credentials()).replace("\"UseSsl\":false", "\"UseSsl\":true")
                .replace("\"SecureOption\":0", "\"SecureOption\":2"), SynchronizationCredentials.class);
        watcher = new ImapMailboxWatcher(new RegisteredMailbox(ssl, Instant.now()), events,
                new ImapConnector(properties), properties, cursors, timer, new AtomicInteger(), new LoginPacing(0));
        watcher.start();
    }

    private RegisteredMailbox mailbox(String password, Instant registeredAt, int port) {
        UUID id = UUID.nameUUIDFromBytes(USER.getBytes());
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(
                CreatioRequests.imapMailbox(id, "127.0.0.1", port, USER, password,
                        "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                SynchronizationCredentials.class);
        return new RegisteredMailbox(credentials, registeredAt);
    }

    private void watch(String password, Duration idleRenewInterval, Instant registeredAt) {
        watch(password, idleRenewInterval, registeredAt, greenMail.getImap().getPort());
    }

    private void watch(String password, Duration idleRenewInterval, Instant registeredAt, int port) {
        ImapProperties properties = new ImapProperties(Duration.ofSeconds(5), Duration.ofSeconds(10),
                idleRenewInterval, Duration.ofMinutes(1), safetySync, Duration.ofMillis(100), Duration.ofMillis(500), List.of(), List.of(), 0);
        watcher = new ImapMailboxWatcher(mailbox(password, registeredAt, port), events, new ImapConnector(properties),
                properties, cursors, timer, new AtomicInteger(), new LoginPacing(0));
        watcher.start();
    }

    private void send(String subject) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(greenMail.getSmtp().getPort()));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress("bob@example.com"));
        message.setRecipients(Message.RecipientType.TO, USER);
        message.setSubject(subject);
        message.setText(GreenMailUtil.random());
        Transport.send(message);
    }
}
