package org.emaillistener.common.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.emaillistener.common.creatio.ServerType;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import jakarta.mail.MessagingException;

/**
 * The secondary's kept IMAP logins, against GreenMail behind a TCP proxy that counts the connections
 * made through it (one connection is one login).
 */
class ImapConnectionsTest {

    private static final String USER = "jane@example.com";

    private GreenMail greenMail;
    private TcpProxy proxy;
    private SimpleMeterRegistry meters;
    private ImapConnections connections;

    @BeforeEach
    void start() throws IOException {
        greenMail = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        greenMail.start();
        greenMail.setUser(USER, USER, "secret");
        proxy = new TcpProxy("127.0.0.1", greenMail.getImap().getPort());
        meters = new SimpleMeterRegistry();
        connections = pool(new ImapPoolProperties(Duration.ofMinutes(1), 1, 500));
    }

    @AfterEach
    void stop() throws IOException {
        connections.close();
        proxy.close();
        greenMail.stop();
    }

    @Test
    void oneLoginServesTheSuccessiveJobsOfAMailbox() throws MessagingException {
        UUID mailbox = UUID.randomUUID();
        for (int job = 0; job < 3; job++) {
            succeed(mailbox, credentials("secret"));
        }

        assertThat(proxy.connectionsAccepted()).isEqualTo(1);
        assertThat(connections.idleCount()).isEqualTo(1);
        assertThat(meters.counter("email.listener.imap.pool.logins.saved").count()).isEqualTo(2);
    }

    @Test
    void newCredentialsNeverReuseTheOldLogin() throws MessagingException {
        UUID mailbox = UUID.randomUUID();
        succeed(mailbox, credentials("secret"));
        greenMail.getUserManager().getUserByEmail(USER).setPassword("changed");

        succeed(mailbox, credentials("changed"));

        assertThat(proxy.connectionsAccepted()).isEqualTo(2);
        assertThat(connections.idleCount()).as("the old login was logged out").isEqualTo(1);
        assertThat(meters.counter("email.listener.imap.pool.logins.saved").count()).isZero();
    }

    @Test
    void anotherMailboxNeverReusesALogin() throws MessagingException {
        succeed(UUID.randomUUID(), credentials("secret"));
        succeed(UUID.randomUUID(), credentials("secret"));

        assertThat(proxy.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void aFailedJobLeavesNoConnectionBehind() throws MessagingException {
        UUID mailbox = UUID.randomUUID();
        try (var connection = connections.take(mailbox, credentials("secret"))) {
            connection.open("INBOX", folder -> folder.open(IMAPFolder.READ_ONLY));
        }
        assertThat(connections.idleCount()).isZero();

        succeed(mailbox, credentials("secret"));
        assertThat(proxy.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void aKeptConnectionThatDiedIsReplacedByANewLogin() throws Exception {
        UUID mailbox = UUID.randomUUID();
        succeed(mailbox, credentials("secret"));
        proxy.cut();
        // The closed port may take a moment to be free again.
        await().ignoreExceptions().atMost(Duration.ofSeconds(5)).until(() -> {
            proxy.restore();
            return true;
        });

        assertThat(succeed(mailbox, credentials("secret"))).as("messages in INBOX").isZero();
        assertThat(proxy.connectionsAccepted()).isEqualTo(2);
        assertThat(meters.counter("email.listener.imap.pool.replaced").count()).isEqualTo(1);
        assertThat(connections.idleCount()).isEqualTo(1);
    }

    @Test
    void anUnusedConnectionIsLoggedOutAfterTheIdleTimeout() throws MessagingException {
        connections.close();
        connections = pool(new ImapPoolProperties(Duration.ofMillis(500), 1, 500));
        succeed(UUID.randomUUID(), credentials("secret"));
        assertThat(connections.idleCount()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> connections.idleCount() == 0);
    }

    @Test
    void theLongestUnusedConnectionMakesRoomAtTheCap() throws MessagingException {
        connections.close();
        connections = pool(new ImapPoolProperties(Duration.ofMinutes(1), 1, 1));
        UUID first = UUID.randomUUID();
        succeed(first, credentials("secret"));
        succeed(UUID.randomUUID(), credentials("secret"));
        assertThat(connections.idleCount()).isEqualTo(1);

        succeed(first, credentials("secret"));
        assertThat(proxy.connectionsAccepted()).as("the first mailbox's login was logged out").isEqualTo(3);
    }

    @Test
    void closingLogsOutWhatWaitsAndKeepsNothingAfterwards() throws MessagingException {
        UUID mailbox = UUID.randomUUID();
        var inUse = connections.take(mailbox, credentials("secret"));
        succeed(UUID.randomUUID(), credentials("secret"));

        connections.close();
        inUse.reusable();
        inUse.close();

        assertThat(connections.idleCount()).isZero();
    }

    /** A job that opens INBOX, reads its message count and succeeds; returns the count. */
    private int succeed(UUID mailbox, SynchronizationCredentials credentials) throws MessagingException {
        try (var connection = connections.take(mailbox, credentials)) {
            IMAPFolder folder = connection.open("INBOX", opening -> opening.open(IMAPFolder.READ_ONLY));
            int messages = folder.getMessageCount();
            connection.reusable();
            return messages;
        }
    }

    private ImapConnections pool(ImapPoolProperties properties) {
        ImapProperties imap = new ImapProperties(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMinutes(5), List.of(),
                List.of(), 0);
        return new ImapConnections(new ImapConnector(imap), properties, meters);
    }

    private SynchronizationCredentials credentials(String password) {
        return new SynchronizationCredentials(UUID.randomUUID(), USER, password, false, null, USER,
                ServerType.IMAP.id(), "127.0.0.1", proxy.port(), false, 0, false, null,
                "http://127.0.0.1/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", "Supervisor",
                "Default", "UTC", null, List.of(), null, 0, true, false, null);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
