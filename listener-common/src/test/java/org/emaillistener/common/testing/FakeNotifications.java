package org.emaillistener.common.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.emaillistener.common.testing.FakeMailboxStore.Folder;
import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;

/**
 * Streaming subscriptions and the GetStreamingEvents connections serving them. Events for a
 * subscription wait in its queue until a connection carries them, as Exchange keeps them for a
 * subscription that is between connections; a subscription no connection has used for
 * {@link #SUBSCRIPTION_LIFETIME_MINUTES} (fake) minutes expires (Exchange: 30 minutes).
 */
final class FakeNotifications {

    static final int SUBSCRIPTION_LIFETIME_MINUTES = 30;

    /**
     * One event of a t:Notification: an item event (ItemId + ParentFolderId) or a folder event
     * (FolderId + ParentFolderId, UnreadCount on ModifiedEvent).
     */
    record Event(String type, Instant timeStamp, String itemId, String folderId, String parentFolderId,
            Long unreadCount) {
    }

    final class Subscription {
        final String id;
        final Mailbox owner;
        final Set<Folder> folders;
        final Set<String> eventTypes;
        final List<Event> pending = new ArrayList<>();
        Connection connection;
        long idleSinceNanos = System.nanoTime();

        Subscription(String id, Mailbox owner, Set<Folder> folders, Set<String> eventTypes) {
            this.id = id;
            this.owner = owner;
            this.folders = folders;
            this.eventTypes = eventTypes;
        }

        boolean covers(Folder folder) {
            return folders == null ? folder.owner == owner : folders.contains(folder);
        }
    }

    enum Signal { WAKE, CLOSE, DROP }

    /** A GetStreamingEvents response being written; only its handler thread writes to it. */
    final class Connection {
        final Mailbox caller;
        final List<Subscription> subscriptions = new ArrayList<>();
        final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();

        Connection(Mailbox caller) {
            this.caller = caller;
        }

        Signal await(long nanos) throws InterruptedException {
            return signals.poll(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
        }
    }

    /** The outcome of attaching a request's subscription ids to a new connection. */
    record Attached(List<Subscription> subscriptions, List<String> notFound, List<String> accessDenied) {
    }

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final List<Connection> connections = new ArrayList<>();
    private final Random random = new Random();
    private final Supplier<Duration> minute;

    FakeNotifications(Supplier<Duration> minute) {
        this.minute = minute;
    }

    synchronized Subscription subscribe(Mailbox owner, Set<Folder> folders, Set<String> eventTypes) {
        Subscription subscription = new Subscription(newSubscriptionId(), owner, folders, eventTypes);
        subscriptions.put(subscription.id, subscription);
        return subscription;
    }

    /** Unsubscribe: false if there is no such subscription (ErrorSubscriptionNotFound). */
    synchronized boolean unsubscribe(String id, Mailbox caller) {
        Subscription subscription = live(id);
        if (subscription == null || subscription.owner != caller) {
            return false;
        }
        subscriptions.remove(id);
        if (subscription.connection != null) {
            subscription.connection.subscriptions.remove(subscription);
        }
        return true;
    }

    /**
     * Exchange lost events of these subscriptions: they are gone, and the client is to make new ones
     * and find out what changed ("Handling notification-related errors in EWS in Exchange",
     * ErrorMissedNotificationEvents: "creating a new subscription").
     */
    synchronized void lost(List<String> ids) {
        for (String id : ids) {
            Subscription subscription = subscriptions.remove(id);
            if (subscription != null && subscription.connection != null) {
                subscription.connection.subscriptions.remove(subscription);
            }
        }
    }

    /** A connection for the account, unless it has {@code limit} open already (then null). */
    synchronized Connection openWithin(Mailbox caller, int limit) {
        return openConnections(caller) >= limit ? null : open(caller);
    }

    synchronized Connection open(Mailbox caller) {
        Connection connection = new Connection(caller);
        connections.add(connection);
        return connection;
    }

    /**
     * Moves the subscriptions to the new connection. A subscription is on one connection at a time:
     * a second GetStreamingEvents for it takes it over, and a connection left without any ends.
     */
    synchronized Attached attach(Connection connection, List<String> ids) {
        List<Subscription> attached = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        List<String> accessDenied = new ArrayList<>();
        for (String id : ids) {
            Subscription subscription = live(id);
            if (subscription == null) {
                notFound.add(id);
            } else if (subscription.owner != connection.caller) {
                accessDenied.add(id);
            } else {
                Connection previous = subscription.connection;
                if (previous != null && previous != connection) {
                    previous.subscriptions.remove(subscription);
                    if (previous.subscriptions.isEmpty()) {
                        previous.signals.add(Signal.CLOSE);
                    }
                }
                subscription.connection = connection;
                connection.subscriptions.add(subscription);
                attached.add(subscription);
            }
        }
        return new Attached(attached, notFound, accessDenied);
    }

    /**
     * Up to {@code max} of the events waiting for a connection's subscriptions, taken off their queues
     * (Exchange puts at most 50 events in one notification message).
     */
    synchronized Map<Subscription, List<Event>> drain(Connection connection, int max) {
        Map<Subscription, List<Event>> events = new LinkedHashMap<>();
        int left = max;
        for (Subscription subscription : connection.subscriptions) {
            if (left == 0) {
                break;
            }
            if (!subscription.pending.isEmpty()) {
                List<Event> taken = subscription.pending.subList(0, Math.min(left, subscription.pending.size()));
                events.put(subscription, List.copyOf(taken));
                left -= taken.size();
                taken.clear();
            }
        }
        return events;
    }

    /** The connection ended: its subscriptions start idling towards expiry, events queue again. */
    synchronized void closed(Connection connection) {
        connections.remove(connection);
        long now = System.nanoTime();
        for (Subscription subscription : connection.subscriptions) {
            if (subscription.connection == connection) {
                subscription.connection = null;
                subscription.idleSinceNanos = now;
            }
        }
        connection.subscriptions.clear();
    }

    /**
     * Queues the events of one change on every subscription that covers the folder and asked for the
     * event's type, and wakes the connections carrying them.
     */
    synchronized void publish(Folder folder, List<Event> events) {
        for (Subscription subscription : List.copyOf(subscriptions.values())) {
            if (live(subscription.id) == null || !subscription.covers(folder)) {
                continue;
            }
            boolean queued = false;
            for (Event event : events) {
                if (subscription.eventTypes.contains(event.type())) {
                    subscription.pending.add(event);
                    queued = true;
                }
            }
            if (queued && subscription.connection != null) {
                subscription.connection.signals.add(Signal.WAKE);
            }
        }
    }

    synchronized void forgetAll() {
        subscriptions.clear();
    }

    synchronized void signalAll(Signal signal) {
        connections.forEach(connection -> connection.signals.add(signal));
    }

    synchronized int openConnections() {
        return connections.size();
    }

    synchronized int openConnections(FakeMailboxStore.Mailbox caller) {
        return (int) connections.stream().filter(connection -> connection.caller == caller).count();
    }

    synchronized int subscriptionCount() {
        return subscriptions.size();
    }

    synchronized int subscriptionCount(Mailbox owner) {
        return (int) subscriptions.values().stream().filter(subscription -> subscription.owner == owner).count();
    }

    private Subscription live(String id) {
        Subscription subscription = subscriptions.get(id);
        if (subscription == null) {
            return null;
        }
        long lifetime = minute.get().toNanos() * SUBSCRIPTION_LIFETIME_MINUTES;
        if (subscription.connection == null && System.nanoTime() - subscription.idleSinceNanos > lifetime) {
            subscriptions.remove(id);
            return null;
        }
        return subscription;
    }

    /**
     * Laid out like Exchange's subscription ids: the length-prefixed FQDN of the server holding the
     * subscription, then two length-prefixed GUIDs around a FILETIME.
     */
    private String newSubscriptionId() {
        byte[] host = "fakeexch01.fake-exchange.local".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer id = ByteBuffer.allocate(2 + host.length + 4 + 16 + 8 + 4 + 16);
        id.put((byte) host.length).put((byte) 0).put(host);
        byte[] guid = new byte[16];
        random.nextBytes(guid);
        id.put(new byte[] {0x10, 0, 0, 0}).put(guid);
        long fileTime = (System.currentTimeMillis() + 11_644_473_600_000L) * 10_000;
        id.put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fileTime).array());
        random.nextBytes(guid);
        id.put(new byte[] {0x10, 0, 0, 0}).put(guid);
        return Base64.getEncoder().encodeToString(id.array());
    }
}
