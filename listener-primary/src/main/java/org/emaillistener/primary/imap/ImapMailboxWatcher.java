package org.emaillistener.primary.imap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.imap.NewMailBoundary;
import org.emaillistener.common.imap.WatchedFolders;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.ReconnectingWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;

/**
 * Watches one IMAP mailbox on its own virtual thread. The main folder (INBOX when watched) sits in
 * IDLE; a shared timer ends the IDLE every {@code idle-renew-interval} with a NOOP (servers may drop
 * a client idle for 29 minutes, NATs sooner) and, when other folders are watched, every
 * {@code folder-poll-interval} so their UIDNEXT can be checked with STATUS on the same connection.
 * Any failure reconnects after a capped, jittered exponential back-off, unless the subscription says
 * not to (a rejected login). Every login waits its turn in the server's {@link LoginPacing}.
 */
class ImapMailboxWatcher extends ReconnectingWatcher {

    private static final Logger log = LoggerFactory.getLogger(ImapMailboxWatcher.class);

    private final ImapConnector connector;
    private final ImapProperties properties;
    private final Cursors cursors;
    private final ScheduledExecutorService timer;
    /** Shared by all watchers: how many are listening. */
    private final AtomicInteger listening;
    private final LoginPacing logins;
    private volatile IMAPStore store;
    private volatile IMAPFolder idleFolder;

    public ImapMailboxWatcher(RegisteredMailbox mailbox, WatcherEvents events, ImapConnector connector,
            ImapProperties properties, Cursors cursors, ScheduledExecutorService timer, AtomicInteger listening,
            LoginPacing logins) {
        super(mailbox, events, "imap-watch-", properties.reconnectInitialDelay(), properties.reconnectMaxDelay());
        this.connector = connector;
        this.properties = properties;
        this.cursors = cursors;
        this.timer = timer;
        this.listening = listening;
        this.logins = logins;
    }

    @Override
    protected void disconnect() {
        IMAPStore current = store;
        if (current != null) {
            Thread.ofVirtual().name("imap-close-" + mailbox.id()).start(() -> closeQuietly(current));
        }
    }

    @Override
    protected void connectAndWatch(Runnable connected) throws MessagingException {
        pause(logins.reserve(mailbox.credentials().ServiceUrl(), mailbox.credentials().Port()));
        if (stopped()) {
            return;
        }
        try {
            store = connector.connect(mailbox.credentials(), properties.idleSocketTimeout());
            if (stopped()) {
                return;
            }
            List<String> folders = WatchedFolders.of(store, mailbox.credentials().FolderIds());
            IMAPFolder main = (IMAPFolder) store.getFolder(folders.getFirst());
            // Asked before the folder takes the store's connection: Angus opens a second
            // connection (and login) for any store command made while a folder holds the first.
            boolean idleSupported = store.hasCapability("IDLE");
            main.open(Folder.READ_ONLY);
            // Counted at SELECT: mail that arrives from here on, even before IDLE starts and
            // after the catch-up job ran, is announced as new.
            int selected = main.getMessageCount();
            idleFolder = main;
            Map<String, Long> uidNext = startCursors(store, main, folders);
            // A folder whose newest UID its cursor has reached needs no catch-up sync (and no login for
            // one): at a replica's start, 10,000 of them would queue ahead of the first new mail.
            events.listening(folders, foldersBehind(main, folders));
            connected.run();
            listening.incrementAndGet();
            try {
                listen(main, uidNext, selected, idleSupported);
            } finally {
                listening.decrementAndGet();
            }
        } finally {
            idleFolder = null;
            IMAPStore current = store;
            store = null;
            if (current != null) {
                closeQuietly(current);
            }
        }
    }

    /** IDLE until something changes, then look; returns only by an exception or a stop. */
    private void listen(IMAPFolder main, Map<String, Long> uidNext, int selected, boolean idleSupported)
            throws MessagingException {
        boolean polling = uidNext.size() > 1;
        Duration wakeEvery = properties.idleRenewInterval();
        if (polling && properties.folderPollInterval().compareTo(wakeEvery) < 0) {
            wakeEvery = properties.folderPollInterval();
        }
        if (!properties.safetySyncInterval().isZero() && properties.safetySyncInterval().compareTo(wakeEvery) < 0) {
            wakeEvery = properties.safetySyncInterval();
        }
        long period = Math.max(1, wakeEvery.toMillis());
        ScheduledFuture<?> wakeUps = timer.scheduleAtFixedRate(
                () -> Thread.ofVirtual().start(() -> wake(main)),
                ThreadLocalRandom.current().nextLong(period / 2, period + 1), period, TimeUnit.MILLISECONDS);
        try {
            int known = selected;
            if (main.getMessageCount() > known) {
                events.newMail(main.getFullName());
                known = main.getMessageCount();
            }
            long nextPoll = System.nanoTime() + properties.folderPollInterval().toNanos();
            long safetyInterval = properties.safetySyncInterval().toNanos();
            // Spread over the interval, so that mailboxes connected together do not check together.
            long nextSafetySync = System.nanoTime() + safetyInterval / 2
                    + ThreadLocalRandom.current().nextLong(Math.max(1, safetyInterval));
            while (!stopped()) {
                if (idleSupported) {
                    main.idle(true);
                } else {
                    pause(properties.folderPollInterval());
                    noop(main);
                }
                if (!main.isOpen()) {
                    throw new MessagingException("the server closed folder " + main.getFullName());
                }
                int count = main.getMessageCount();
                if (count > known) {
                    events.newMail(main.getFullName());
                }
                known = count;
                if (polling && System.nanoTime() - nextPoll >= 0) {
                    pollOtherFolders(main, uidNext);
                    nextPoll = System.nanoTime() + properties.folderPollInterval().toNanos();
                }
                if (safetyInterval > 0 && System.nanoTime() - nextSafetySync >= 0) {
                    List<String> behind = foldersBehind(main, uidNext.keySet());
                    if (!behind.isEmpty()) {
                        events.safetyCheck(behind);
                    }
                    nextSafetySync = System.nanoTime() + safetyInterval;
                }
            }
        } finally {
            wakeUps.cancel(false);
        }
    }

    /** Ends the IDLE from the timer's side: IMAPFolder aborts an IDLE when another thread talks to the server. */
    private void wake(IMAPFolder folder) {
        if (stopped() || idleFolder != folder) {
            return;
        }
        try {
            noop(folder);
        } catch (MessagingException e) {
            // The watcher's own thread meets the same broken connection and reconnects.
            log.debug("Mailbox {}: NOOP failed", mailbox.id(), e);
        }
    }

    private static void noop(IMAPFolder folder) throws MessagingException {
        folder.doCommand(protocol -> {
            protocol.simpleCommand("NOOP", null);
            return null;
        });
    }

    private void pollOtherFolders(IMAPFolder main, Map<String, Long> uidNext) throws MessagingException {
        for (Map.Entry<String, Long> entry : uidNext.entrySet()) {
            String name = entry.getKey();
            if (name.equals(main.getFullName())) {
                continue;
            }
            long next = statusUidNext(main, name);
            if (next > entry.getValue()) {
                entry.setValue(next);
                events.newMail(name);
            }
        }
    }

    /**
     * The safety check asks the server, not the memory of events: a folder whose newest UID is
     * beyond its cursor (mail whose event never came, or whose job was lost), or whose UIDVALIDITY
     * changed, needs a sync; a folder delivery has caught up with costs one command, not a sync job
     * (at 10,000 mailboxes, 33 sync jobs a second with a login each).
     */
    private List<String> foldersBehind(IMAPFolder main, Collection<String> folders) throws MessagingException {
        List<String> behind = new ArrayList<>();
        for (String name : folders) {
            long newest;
            long uidValidity;
            if (name.equals(main.getFullName())) {
                int count = main.getMessageCount();
                newest = count == 0 ? 0 : main.getUID(main.getMessage(count));
                uidValidity = main.getUIDValidity();
            } else {
                Status status = (Status) main.doCommand(protocol -> protocol.status(name,
                        new String[] { "UIDNEXT", "UIDVALIDITY" }));
                newest = status == null || status.uidnext <= 0 ? Long.MAX_VALUE : status.uidnext - 1;
                uidValidity = status == null ? -1 : status.uidvalidity;
            }
            SyncCursor cursor = cursors.find(mailbox.id(), name).orElse(null);
            if (cursor == null || cursor.uidValidity() != uidValidity || newest > cursor.lastUid()) {
                behind.add(name);
            }
        }
        return behind;
    }

    /** STATUS through the selected connection, so a mailbox never needs a second login. */
    private static long statusUidNext(IMAPFolder selected, String folder) throws MessagingException {
        Status status = (Status) selected.doCommand(protocol -> protocol.status(folder, new String[] { "UIDNEXT" }));
        return status == null ? -1 : status.uidnext;
    }

    /**
     * Gives every watched folder a cursor (new mail starts after the mailbox's registration) and
     * notes each folder's UIDNEXT for polling.
     */
    private Map<String, Long> startCursors(IMAPStore store, IMAPFolder main, List<String> folders)
            throws MessagingException {
        Map<String, Long> uidNext = new HashMap<>();
        for (String name : folders) {
            if (name.equals(main.getFullName())) {
                startCursor(main);
                uidNext.put(name, main.getUIDNext());
                continue;
            }
            IMAPFolder folder = (IMAPFolder) store.getFolder(name);
            if (cursors.find(mailbox.id(), name).isEmpty()) {
                folder.open(Folder.READ_ONLY);
                try {
                    startCursor(folder);
                } finally {
                    folder.close(false);
                }
            }
            uidNext.put(name, statusUidNext(main, name));
        }
        return uidNext;
    }

    private void startCursor(IMAPFolder open) throws MessagingException {
        if (cursors.find(mailbox.id(), open.getFullName()).isEmpty()) {
            cursors.saveIfAbsent(mailbox.id(), open.getFullName(),
                    NewMailBoundary.cursorFor(open, mailbox.registeredAt()));
        }
    }

    private void closeQuietly(IMAPStore closing) {
        try {
            closing.close();
        } catch (MessagingException | RuntimeException e) {
            log.debug("Mailbox {}: closing the connection failed", mailbox.id(), e);
        }
    }
}
