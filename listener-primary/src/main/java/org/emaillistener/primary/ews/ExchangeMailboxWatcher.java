package org.emaillistener.primary.ews;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.exchange.ExchangeStream;
import org.emaillistener.common.exchange.ExchangeWatchedFolders;
import org.emaillistener.common.retry.Backoff;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.ReconnectingWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Exchange mailbox on its own virtual thread: one streaming subscription covers all its
 * watched folders, carried by one connection at a time (Exchange limits the connections an account
 * may hold open). A connection lives {@code SubscriptionTtl} minutes and is reopened on the same
 * subscription, whose events Exchange keeps meanwhile; a connection that broke is reopened and
 * followed by a catch-up of every folder, since events may have been lost with it; a subscription
 * the server no longer knows ({@code ErrorSubscriptionNotFound}) is made again, also with a
 * catch-up. A failure to connect at all reconnects as {@link ReconnectingWatcher} does, and so does
 * a stream that keeps breaking: each break after a short-lived stream waits the same capped, jittered
 * back-off before the stream is reopened, so that a server that drops streams at once is not hammered.
 */
class ExchangeMailboxWatcher extends ReconnectingWatcher {

    private static final Logger log = LoggerFactory.getLogger(ExchangeMailboxWatcher.class);

    /** A stream that lived this long was healthy: its break starts the back-off afresh. */
    static final Duration STABLE_STREAM = Duration.ofMinutes(1);

    private final ExchangeConnector connector;
    private final ExchangeProperties properties;
    private volatile ExchangeMailbox connection;
    private volatile CompletableFuture<ExchangeException> streamEnd;

    ExchangeMailboxWatcher(RegisteredMailbox mailbox, WatcherEvents events, ExchangeConnector connector) {
        super(mailbox, events, "ews-watch-", connector.properties().reconnectInitialDelay(),
                connector.properties().reconnectMaxDelay());
        this.connector = connector;
        this.properties = connector.properties();
    }

    @Override
    protected void connectAndWatch(Runnable connected) throws ExchangeException {
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            connection = exchange;
            if (stopped()) {
                return;
            }
            List<String> folders = ExchangeWatchedFolders.of(exchange, mailbox.credentials().FolderIds());
            String subscription = exchange.subscribe(folders);
            connected.run();
            watch(exchange, folders, subscription);
        } finally {
            connection = null;
        }
    }

    @Override
    protected void disconnect() {
        CompletableFuture<ExchangeException> end = streamEnd;
        if (end != null) {
            end.complete(null);
        }
        ExchangeMailbox current = connection;
        if (current != null) {
            Thread.ofVirtual().name("ews-close-" + mailbox.id()).start(current::close);
        }
    }

    /** Streams until a stop or a failure that needs a new connection (thrown). */
    private void watch(ExchangeMailbox exchange, List<String> folders, String firstSubscription)
            throws ExchangeException {
        String subscription = firstSubscription;
        boolean catchUp = true;
        Duration lifetime = properties.lifetime(mailbox.credentials().SubscriptionTtl());
        long safetyInterval = properties.safetySyncInterval().toNanos();
        // Spread over the interval, so that mailboxes connected together do not check together.
        long nextSafetySync = System.nanoTime() + safetyInterval / 2
                + ThreadLocalRandom.current().nextLong(Math.max(1, safetyInterval));
        int breaks = 0;
        while (!stopped()) {
            if (breaks > 0) {
                pause(Backoff.exponential(properties.reconnectInitialDelay(), properties.reconnectMaxDelay(), breaks));
                if (stopped()) {
                    return;
                }
            }
            long openedAt = System.nanoTime();
            CompletableFuture<ExchangeException> end = new CompletableFuture<>();
            streamEnd = end;
            try (ExchangeStream stream = exchange.stream(subscription, lifetime, streamEvents(folders, end))) {
                if (catchUp) {
                    // Mail may have arrived while nobody was watching: each folder is synced.
                    events.listening(folders);
                    catchUp = false;
                }
                ExchangeException failure;
                while (true) {
                    if (safetyInterval > 0 && System.nanoTime() - nextSafetySync >= 0) {
                        events.safetyCheck(folders);
                        nextSafetySync = System.nanoTime() + safetyInterval;
                    }
                    long wait = safetyInterval > 0 ? Math.max(1, nextSafetySync - System.nanoTime())
                            : lifetime.plusMinutes(1).toNanos();
                    try {
                        failure = end.get(wait, TimeUnit.NANOSECONDS);
                        break;
                    } catch (TimeoutException e) {
                        // Time for the safety sync.
                    }
                }
                if (stopped()) {
                    return;
                }
                boolean stable = System.nanoTime() - openedAt >= STABLE_STREAM.toNanos();
                breaks = failure == null || stable ? 0 : breaks + 1;
                if (failure == null) {
                    log.debug("Mailbox {}: the streaming connection reached its lifetime; reopening", mailbox.id());
                } else if (failure.subscriptionLost()) {
                    log.info("Mailbox {}: {}; subscribing again and catching up", mailbox.id(),
                            failure.missedEvents() ? "Exchange dropped notifications (ErrorMissedNotificationEvents)"
                                    : "the server no longer knows the subscription");
                    subscription = exchange.subscribe(folders);
                    catchUp = true;
                } else {
                    log.info("Mailbox {}: the streaming connection broke ({}); reopening and catching up",
                            mailbox.id(), failure.getMessage());
                    catchUp = true;
                }
            } catch (ExchangeException e) {
                if (!e.subscriptionLost() || stopped()) {
                    throw e;
                }
                breaks++;
                log.info("Mailbox {}: the server no longer knows the subscription; subscribing again", mailbox.id());
                subscription = exchange.subscribe(folders);
                catchUp = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                streamEnd = null;
            }
        }
    }

    private ExchangeStream.Events streamEvents(List<String> folders, CompletableFuture<ExchangeException> end) {
        return new ExchangeStream.Events() {

            @Override
            public void newMail(Set<String> folderIds) {
                if (stopped() || end.isDone()) {
                    return;
                }
                List<String> announced = folders.stream().filter(folderIds::contains).toList();
                // An event naming a folder this watcher does not know by that id: sync them all.
                (announced.isEmpty() ? folders : announced).forEach(events::newMail);
            }

            @Override
            public void ended(ExchangeException failure) {
                end.complete(failure);
            }
        };
    }
}
