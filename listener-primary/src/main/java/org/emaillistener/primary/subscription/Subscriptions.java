package org.emaillistener.primary.subscription;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.ServerType;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.primary.imap.ImapWatchers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * The mailboxes this replica serves, each with its live subscription. Registering a mailbox that
 * is already served replaces its subscription (new credentials) and keeps its cursors, so nothing
 * that arrived in between is lost. No call here waits for a mail server.
 */
@Service
public class Subscriptions implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final Cursors cursors;
    private final SyncJobs jobs;
    private final CreatioClient creatio;
    private final HistoryImports historyImports;
    private final ImapWatchers imapWatchers;
    private final ConcurrentHashMap<UUID, Subscription> live = new ConcurrentHashMap<>();
    private volatile boolean running;

    public Subscriptions(MailboxRegistry registry, SubscriptionStates states, Cursors cursors, SyncJobs jobs,
            CreatioClient creatio, HistoryImports historyImports, ImapWatchers imapWatchers) {
        this.registry = registry;
        this.states = states;
        this.cursors = cursors;
        this.jobs = jobs;
        this.creatio = creatio;
        this.historyImports = historyImports;
        this.imapWatchers = imapWatchers;
    }

    /** Creatio's create, recreate and update: serve the mailbox with these credentials from now on. */
    public void register(SynchronizationCredentials credentials) {
        RegisteredMailbox mailbox = registry.find(credentials.Id())
                .map(known -> known.withCredentials(credentials))
                .orElseGet(() -> new RegisteredMailbox(credentials, Instant.now()));
        Subscription fresh = new Subscription(mailbox, states, jobs, creatio);
        fresh.attach(watcherFor(mailbox, fresh));
        registry.save(mailbox);
        states.save(mailbox.id(), SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        Subscription replaced = live.put(mailbox.id(), fresh);
        if (replaced != null) {
            fresh.inheritReportedFailure(replaced);
            replaced.stop();
        }
        if (running) {
            fresh.start();
        }
        log.info("Mailbox {} {}: {}", mailbox.id(), replaced == null ? "subscribed" : "resubscribed", credentials);
    }

    /** Creatio's close: stop the subscription and forget the mailbox. */
    public boolean close(UUID mailboxId) {
        boolean known = registry.remove(mailboxId);
        Subscription subscription = live.remove(mailboxId);
        if (subscription != null) {
            subscription.stop();
        }
        states.remove(mailboxId);
        cursors.removeAll(mailboxId);
        historyImports.removeAll(mailboxId);
        if (known || subscription != null) {
            log.info("Mailbox {} closed", mailboxId);
        }
        return known;
    }

    /** Registered, and listening or on its way to: what Creatio's {@code subscriptionsstate} calls alive. */
    public boolean isAlive(UUID mailboxId) {
        return registry.find(mailboxId).isPresent()
                && states.find(mailboxId).map(SubscriptionState::alive).orElse(false);
    }

    private MailboxWatcher watcherFor(RegisteredMailbox mailbox, WatcherEvents events) {
        ServerType type = mailbox.credentials().serverType();
        return switch (type) {
            case IMAP -> imapWatchers.create(mailbox, events);
            case EXCHANGE -> throw new UnsupportedServerTypeException(type);
        };
    }

    @Override
    public void start() {
        running = true;
        for (UUID id : registry.ids()) {
            registry.find(id).ifPresent(mailbox -> register(mailbox.credentials()));
        }
    }

    @Override
    public void stop() {
        running = false;
        live.values().forEach(Subscription::stop);
        live.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
