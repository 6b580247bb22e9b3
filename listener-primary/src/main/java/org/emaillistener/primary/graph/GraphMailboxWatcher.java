package org.emaillistener.primary.graph;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.graph.GraphMailbox.NotificationSubscription;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphWatchedFolders;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.ReconnectingWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Exchange Online mailbox through Graph, on its own virtual thread, in one of two ways.
 * With a notification address configured, it subscribes each watched folder to change notifications
 * (which reach {@link GraphNotificationsController} at any replica and become sync jobs there),
 * renews each subscription once half its lifetime has passed, recreates one Graph forgot, and ends
 * them when it stops; it still checks every folder's delta every {@code safety-poll-interval}, for a
 * notification that never came. Without one, or while Graph refuses a subscription (its validation
 * request did not reach the address), it polls every folder's delta every {@code poll-interval}.
 * Either way the first check comes at a random point of the interval (so mailboxes started together
 * do not check together), one {@code $batch} asks about up to 20 folders, and only a folder that
 * changed gets a sync; the cursor itself is moved only by the sync.
 * On connect it asks for a catch-up of every watched folder; a failed call reconnects as
 * {@link ReconnectingWatcher} does, and the reconnect's catch-up covers whatever was missed meanwhile.
 */
class GraphMailboxWatcher extends ReconnectingWatcher {

    private static final Logger log = LoggerFactory.getLogger(GraphMailboxWatcher.class);

    private final GraphConnector connector;
    private final Cursors cursors;
    private final GraphClientState clientState;
    private final GraphProperties properties;
    /** Shared by all watchers: how many are listening. */
    private final AtomicInteger listening;
    /** This watcher's change-notification subscriptions by folder; only its own thread touches it. */
    private final Map<String, NotificationSubscription> subscribed = new LinkedHashMap<>();

    GraphMailboxWatcher(RegisteredMailbox mailbox, WatcherEvents events, GraphConnector connector, Cursors cursors,
            GraphClientState clientState, AtomicInteger listening) {
        super(mailbox, events, "graph-watch-", Duration.ofSeconds(1), Duration.ofMinutes(5));
        this.connector = connector;
        this.cursors = cursors;
        this.clientState = clientState;
        this.properties = connector.properties();
        this.listening = listening;
    }

    @Override
    protected void connectAndWatch(Runnable connected) throws GraphException {
        GraphMailbox graph = connector.connect(mailbox.credentials());
        List<String> folders = GraphWatchedFolders.of(graph, mailbox.credentials().FolderIds());
        try {
            boolean notified = subscribeMissing(graph, folders);
            if (stopped()) {
                return;
            }
            connected.run();
            events.listening(folders);
            listening.incrementAndGet();
            try {
                watch(graph, folders, notified);
            } finally {
                listening.decrementAndGet();
            }
        } finally {
            unsubscribeAll(graph);
        }
    }

    /**
     * @param notified whether every folder has its subscription; if not (no notification address, or
     *        Graph refused one), the folders are polled, and with an address the missing
     *        subscriptions are tried again every {@code safety-poll-interval}
     */
    private void watch(GraphMailbox graph, List<String> folders, boolean notified) throws GraphException {
        Instant nextCheck = Instant.now()
                .plusMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval(notified).toMillis())));
        Instant nextSubscribe = Instant.now().plus(properties.safetyPollInterval());
        while (!stopped()) {
            Instant next = nextCheck;
            for (NotificationSubscription subscription : subscribed.values()) {
                Instant renewal = renewalDue(subscription);
                next = renewal.isBefore(next) ? renewal : next;
            }
            boolean resubscribing = !notified && properties.notifications();
            if (resubscribing && nextSubscribe.isBefore(next)) {
                next = nextSubscribe;
            }
            pause(Duration.between(Instant.now(), next));
            if (stopped()) {
                return;
            }
            renewDue(graph);
            if (resubscribing && !Instant.now().isBefore(nextSubscribe)) {
                notified = subscribeMissing(graph, folders);
                nextSubscribe = Instant.now().plus(properties.safetyPollInterval());
            }
            if (!Instant.now().isBefore(nextCheck)) {
                List<String> changed = changed(graph, folders);
                if (notified) {
                    if (!changed.isEmpty()) {
                        log.info("Mailbox {}: the safety check found changes no notification announced in {}",
                                mailbox.id(), changed);
                        events.safetyCheck(changed);
                    }
                } else {
                    changed.forEach(events::newMail);
                }
                nextCheck = Instant.now().plus(interval(notified));
            }
        }
    }

    private Duration interval(boolean notified) {
        return notified ? properties.safetyPollInterval() : properties.pollInterval();
    }

    /**
     * Subscribes the watched folders that have no subscription yet. Graph refusing one with a 4xx
     * (most often: its validation request did not reach the notification address, an operator's
     * setting to fix) is not the mailbox's failure: its folders are polled meanwhile. A refused
     * mailbox or app (401, 404), throttling and a Graph that cannot be reached fail the connection.
     *
     * @return whether every folder has its subscription; false without a notification address
     */
    private boolean subscribeMissing(GraphMailbox graph, List<String> folders) throws GraphException {
        if (!properties.notifications()) {
            return false;
        }
        for (String folder : folders) {
            if (stopped() || subscribed.containsKey(folder)) {
                continue;
            }
            try {
                subscribe(graph, folder);
            } catch (GraphException e) {
                if (e.status() / 100 != 4 || e.status() == 401 || e.status() == 404 || e.status() == 429) {
                    throw e;
                }
                log.warn("Mailbox {}: Graph refused a change-notification subscription ({}); polling every {} s, "
                        + "and trying again in {} min", mailbox.id(), e.getMessage(),
                        properties.pollInterval().toSeconds(), properties.safetyPollInterval().toMinutes());
                return false;
            }
        }
        return true;
    }

    private void subscribe(GraphMailbox graph, String folder) throws GraphException {
        subscribed.put(folder, graph.subscribe(folder, clientState.notificationUrl(mailbox.id(), folder),
                clientState.of(mailbox.id(), folder), Instant.now().plus(properties.subscriptionLifetime())));
    }

    /**
     * Once half the lifetime Graph granted has passed (it may grant less than asked for): a renewal
     * that fails then has the other half to succeed.
     */
    private static Instant renewalDue(NotificationSubscription subscription) {
        return subscription.renewAt();
    }

    /**
     * Renews the subscriptions due; one Graph no longer knows (it removed or expired it) is made
     * again, and its folder caught up for whatever was not announced meanwhile.
     */
    private void renewDue(GraphMailbox graph) throws GraphException {
        for (Map.Entry<String, NotificationSubscription> entry : List.copyOf(subscribed.entrySet())) {
            if (stopped() || Instant.now().isBefore(renewalDue(entry.getValue()))) {
                continue;
            }
            try {
                subscribed.put(entry.getKey(),
                        graph.renew(entry.getValue().id(), Instant.now().plus(properties.subscriptionLifetime())));
            } catch (GraphException e) {
                if (!e.itemNotFound()) {
                    throw e;
                }
                log.info("Mailbox {} folder {}: Graph no longer knows its subscription; subscribing again",
                        mailbox.id(), entry.getKey());
                subscribe(graph, entry.getKey());
                events.safetyCheck(List.of(entry.getKey()));
            }
        }
    }

    /** Ends this watcher's subscriptions; one that cannot be ended now expires on its own. */
    private void unsubscribeAll(GraphMailbox graph) {
        for (NotificationSubscription subscription : subscribed.values()) {
            try {
                graph.unsubscribe(subscription.id());
            } catch (GraphException e) {
                log.info("Mailbox {}: subscription {} could not be ended ({}); it expires at {}", mailbox.id(),
                        subscription.id(), e.getMessage(), subscription.expires());
            }
        }
        subscribed.clear();
    }

    /**
     * The folders that may hold mail their cursors are not past: those whose delta changed, and those
     * whose first pass is not done.
     */
    private List<String> changed(GraphMailbox graph, List<String> folders) throws GraphException {
        Set<String> changed = new LinkedHashSet<>();
        Map<String, String> deltaLinks = new LinkedHashMap<>();
        for (String folder : folders) {
            SyncCursor cursor = cursors.find(mailbox.id(), folder).orElse(null);
            if (cursor == null || cursor.syncState() == null || cursor.skipBefore() != null
                    || cursor.recheckUpTo() != 0) {
                changed.add(folder);
            } else {
                deltaLinks.put(folder, cursor.syncState());
            }
        }
        if (!deltaLinks.isEmpty()) {
            GraphMailbox.DeltaPoll poll = graph.changedSince(deltaLinks);
            changed.addAll(poll.changed());
            poll.newest().forEach((folder, link) -> keepNewest(folder, deltaLinks.get(folder), link));
        }
        return folders.stream().filter(changed::contains).toList();
    }

    /**
     * A folder with nothing new keeps the link the poll was answered with, which names the same state:
     * Graph keeps only the newest tokens of a folder, so the old one would soon be refused and the
     * folder read again from its start. Only if no sync moved the cursor meanwhile (one that did holds
     * a newer state still; should it move between the read and the save, the folder's next sync reads
     * its changes again, and the delivered Message-IDs keep them from reaching Creatio twice).
     */
    private void keepNewest(String folder, String polled, String newest) {
        cursors.find(mailbox.id(), folder).filter(cursor -> polled.equals(cursor.syncState()))
                .ifPresent(cursor -> cursors.save(mailbox.id(), folder, cursor.withSyncState(newest)));
    }

    @Override
    protected MailboxFailure failureOf(Exception failure) {
        return failure instanceof GraphException graph ? GraphFailures.of(graph) : super.failureOf(failure);
    }

    @Override
    protected void disconnect() {
        // No connection is held: stop() ends the pause, and the watcher's thread ends the subscriptions.
    }
}
