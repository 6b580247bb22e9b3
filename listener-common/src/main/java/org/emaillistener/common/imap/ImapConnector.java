package org.emaillistener.common.imap;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.mail.MailServerAccess.Protocol;
import org.emaillistener.common.mail.MailServerDestinations;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;

/**
 * Opens IMAP connections for a mailbox as Creatio described it. TLS, STARTTLS and the login follow
 * {@link MailServerAccess}; certificates and host names are verified unless the operator listed the
 * host in {@code listener.imap.ssl-trust}.
 *
 * <p>Connections with the same settings share one mail {@link Session}: making a Session reads the
 * provider files and tries to load classes that are not there (Jakarta Mail's HK2 lookup), costly
 * for 10,000 connections, and class loading pins a virtual thread to its carrier; thousands of
 * watchers doing it at once pinned every carrier behind the class loader's lock and stalled the JVM.
 */
public class ImapConnector {

    private final ImapProperties properties;
    private final MailServerDestinations destinations;
    /** Shared by every connection, so that no connection starts platform threads of its own. */
    private final ScheduledExecutorService writeTimeouts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("imap-write-timeouts").daemon().factory());
    private final java.util.concurrent.Executor mailEvents = Executors.newVirtualThreadPerTaskExecutor();
    /** By their properties; few distinct ones (TLS mode, trusted host, timeout), so the bound is generous. */
    private final ConcurrentHashMap<Properties, Session> sessions = new ConcurrentHashMap<>();

    /** A connector to any mail server but a link-local one. */
    public ImapConnector(ImapProperties properties) {
        this(properties, MailServerDestinations.anyButLinkLocal());
    }

    public ImapConnector(ImapProperties properties, MailServerDestinations destinations) {
        this.properties = properties;
        this.destinations = destinations;
    }

    /** Connects and logs in, with a socket timeout fit for fetching mail. */
    public IMAPStore connect(SynchronizationCredentials mailbox) throws MessagingException {
        return connect(mailbox, properties.readTimeout());
    }

    /** Connects and logs in; {@code socketTimeout} bounds every wait for the server. */
    public IMAPStore connect(SynchronizationCredentials mailbox, Duration socketTimeout) throws MessagingException {
        MailServerAccess server = server(mailbox);
        try {
            destinations.check(server.host());
        } catch (ConnectException e) {
            throw new MessagingException(e.getMessage(), e);
        }
        IMAPStore store = (IMAPStore) session(sessionProperties(server, socketTimeout)).getStore(server.scheme());
        store.connect(server.host(), server.port(), server.loginName(), mailbox.secret());
        return store;
    }

    /** Where and as whom a connection for the mailbox logs in (without the secret). */
    public MailServerAccess server(SynchronizationCredentials mailbox) {
        return MailServerAccess.of(Protocol.IMAP, mailbox, properties.sslTrust(), properties.plaintextHosts());
    }

    private Session session(Properties properties) {
        if (sessions.size() > 1000) {
            sessions.clear();
        }
        return sessions.computeIfAbsent(properties, Session::getInstance);
    }

    private Properties sessionProperties(MailServerAccess server, Duration socketTimeout) {
        Properties props = server.sessionProperties();
        String p = server.propertyPrefix();
        props.put(p + "connectiontimeout", String.valueOf(properties.connectTimeout().toMillis()));
        props.put(p + "timeout", String.valueOf(socketTimeout.toMillis()));
        props.put(p + "writetimeout", String.valueOf(properties.readTimeout().toMillis()));
        props.put(p + "executor.writetimeout", writeTimeouts);
        props.put(p + "peek", "true");
        props.put(p + "partialfetch", "true");
        // A large message reaches the spool file in 1 MB pieces instead of one buffer of its size.
        props.put(p + "fetchsize", "1048576");
        props.put("mail.event.executor", mailEvents);
        return props;
    }
}
