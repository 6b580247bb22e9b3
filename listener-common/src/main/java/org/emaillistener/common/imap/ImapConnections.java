package org.emaillistener.common.imap;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.mail.MessagingException;

/**
 * Logged-in IMAP connections kept between the sync jobs of a mailbox, so that a burst of jobs logs in
 * once instead of once per job. A job {@linkplain #take takes} a connection and, when it finished
 * without a failure, marks it {@linkplain Connection#reusable() reusable}; closing it then hands it
 * back. Any other close logs it out: a job that failed never leaves a possibly broken connection
 * behind.
 *
 * <p>A connection serves only the login it was made with: the mailbox, the server, the login name
 * and the secret (kept as a digest). A mailbox's kept connections of another login (Creatio's
 * {@code update} brought new credentials) are logged out when it next asks for one.
 *
 * <p>Only the login is kept, no selected folder: every job selects its folder again, so it sees the
 * folder's current UIDVALIDITY and UIDNEXT, and closing the folder after the job drops Angus Mail's
 * message cache (an open folder keeps a {@code Message} for every message it ever fetched).
 *
 * <p>A kept connection may have died while it waited (the server's own idle timeout, a restart):
 * then the job's first command on it fails, before anything was read, let alone delivered, and is
 * made once more over a new login.
 */
public class ImapConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImapConnections.class);
    private static final long SHUTDOWN_WAIT_MILLIS = 5_000;

    private final ImapConnector connector;
    private final ImapPoolProperties properties;
    /** The unused connections, longest unused first. Guarded by itself. */
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("imap-pool-sweeper").factory());
    private final Counter loginsSaved;
    private final Counter replaced;
    /** Guarded by {@link #idle}. */
    private boolean closed;

    public ImapConnections(ImapConnector connector, ImapPoolProperties properties, MeterRegistry meters) {
        this.connector = connector;
        this.properties = properties;
        Gauge.builder("email.listener.imap.pool.idle", this, ImapConnections::idleCount)
                .description("Logged-in IMAP connections waiting for the next sync job of their mailbox")
                .register(meters);
        this.loginsSaved = Counter.builder("email.listener.imap.pool.logins.saved")
                .description("Sync jobs served by a connection an earlier job had logged in").register(meters);
        this.replaced = Counter.builder("email.listener.imap.pool.replaced")
                .description("Kept connections that had died while they waited, replaced by a new login")
                .register(meters);
        long period = Math.max(1_000, properties.idleTimeout().toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::logOutExpired, period, period, TimeUnit.MILLISECONDS);
    }

    /** Who a connection is logged in as, and for which mailbox. */
    private record Login(UUID mailboxId, MailServerAccess server, String secretDigest) {
    }

    private record Idle(Login login, IMAPStore store, long sinceNanos) {
    }

    /** A command a job makes first on a connection; repeated over a new login if a kept connection failed it. */
    @FunctionalInterface
    public interface FirstCommand<T> {
        T run(IMAPStore store) throws MessagingException;
    }

    /** Opens a folder (read-only, read-write) for a job. */
    @FunctionalInterface
    public interface FolderOpening {
        void open(IMAPFolder folder) throws MessagingException;
    }

    /** A logged-in connection for the mailbox: one an earlier job left for it, else a new login. */
    public Connection take(UUID mailboxId, SynchronizationCredentials credentials) throws MessagingException {
        Login login = new Login(mailboxId, connector.server(credentials), digest(credentials.secret()));
        IMAPStore kept = null;
        List<IMAPStore> stale = new ArrayList<>();
        synchronized (idle) {
            for (Iterator<Idle> newestFirst = idle.descendingIterator(); newestFirst.hasNext();) {
                Idle candidate = newestFirst.next();
                if (!candidate.login().mailboxId().equals(mailboxId)) {
                    continue;
                }
                if (!candidate.login().equals(login)) {
                    stale.add(candidate.store());
                    newestFirst.remove();
                } else if (kept == null) {
                    kept = candidate.store();
                    newestFirst.remove();
                }
            }
        }
        stale.forEach(this::logOut);
        if (kept != null) {
            loginsSaved.increment();
            return new Connection(login, credentials, kept, true);
        }
        return new Connection(login, credentials, connector.connect(credentials), false);
    }

    /** How many connections wait unused. */
    public int idleCount() {
        synchronized (idle) {
            return idle.size();
        }
    }

    private void giveBack(Login login, IMAPStore store) {
        List<IMAPStore> out = new ArrayList<>();
        synchronized (idle) {
            if (closed || properties.maxIdle() == 0 || properties.maxIdlePerMailbox() == 0) {
                out.add(store);
            } else {
                int ofMailbox = 0;
                for (Idle waiting : idle) {
                    ofMailbox += waiting.login().mailboxId().equals(login.mailboxId()) ? 1 : 0;
                }
                for (Iterator<Idle> oldestFirst = idle.iterator(); oldestFirst.hasNext()
                        && ofMailbox >= properties.maxIdlePerMailbox();) {
                    Idle waiting = oldestFirst.next();
                    if (waiting.login().mailboxId().equals(login.mailboxId())) {
                        out.add(waiting.store());
                        oldestFirst.remove();
                        ofMailbox--;
                    }
                }
                while (idle.size() >= properties.maxIdle()) {
                    out.add(idle.pollFirst().store());
                }
                idle.addLast(new Idle(login, store, System.nanoTime()));
            }
        }
        out.forEach(this::logOut);
    }

    private void logOutExpired() {
        long timeout = properties.idleTimeout().toNanos();
        long now = System.nanoTime();
        List<IMAPStore> expired = new ArrayList<>();
        synchronized (idle) {
            while (!idle.isEmpty() && now - idle.peekFirst().sinceNanos() > timeout) {
                expired.add(idle.pollFirst().store());
            }
        }
        expired.forEach(this::logOut);
    }

    /** In the background: LOGOUT waits for the server, and a dead connection for its socket timeout. */
    private Thread logOut(IMAPStore store) {
        return Thread.ofVirtual().name("imap-logout").start(() -> {
            try {
                store.close();
            } catch (MessagingException | RuntimeException e) {
                log.debug("Logging out a kept IMAP connection failed: {}", e.toString());
            }
        });
    }

    /** Logs out every unused connection; connections in use are logged out when their jobs close them. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        List<IMAPStore> all = new ArrayList<>();
        synchronized (idle) {
            closed = true;
            idle.forEach(waiting -> all.add(waiting.store()));
            idle.clear();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_WAIT_MILLIS);
        for (Thread logout : all.stream().map(this::logOut).toList()) {
            try {
                logout.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((secret == null ? "" : secret).getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** One job's connection. Not for sharing between threads. */
    public final class Connection implements AutoCloseable {

        private final Login login;
        private final SynchronizationCredentials credentials;
        private IMAPStore store;
        /** Kept from an earlier job and not yet shown alive in this one. */
        private boolean unproven;
        private IMAPFolder folder;
        private boolean reusable;

        private Connection(Login login, SynchronizationCredentials credentials, IMAPStore store, boolean kept) {
            this.login = login;
            this.credentials = credentials;
            this.store = store;
            this.unproven = kept;
        }

        /**
         * The job's folder, opened by {@code opening}; closed when the connection is. Meant as the
         * job's first command: a kept connection that fails it is replaced by a new login.
         */
        public IMAPFolder open(String folderName, FolderOpening opening) throws MessagingException {
            return first(store -> {
                IMAPFolder opened = (IMAPFolder) store.getFolder(folderName);
                opening.open(opened);
                folder = opened;
                return opened;
            });
        }

        /** Runs the job's first command; a kept connection that fails it is replaced by a new login. */
        public <T> T first(FirstCommand<T> command) throws MessagingException {
            if (unproven) {
                unproven = false;
                try {
                    return command.run(store);
                } catch (MessagingException | IllegalStateException e) {
                    replaced.increment();
                    log.info("Mailbox {}: a kept IMAP connection failed ({}); logging in again", login.mailboxId(),
                            e.toString());
                    logOut(store);
                    store = null;
                    store = connector.connect(credentials);
                }
            }
            return command.run(store);
        }

        /** The job is done without a failure: closing hands the connection back for the mailbox's next job. */
        public void reusable() {
            reusable = true;
        }

        @Override
        public void close() {
            if (store == null) {
                return;
            }
            boolean keep = reusable;
            if (folder != null && folder.isOpen()) {
                try {
                    // Without expunging: read-write folders are UNSELECTed (or EXAMINEd, then CLOSEd).
                    folder.close(false);
                } catch (MessagingException | RuntimeException e) {
                    keep = false;
                }
            }
            if (keep) {
                giveBack(login, store);
            } else {
                logOut(store);
            }
            store = null;
        }
    }
}
