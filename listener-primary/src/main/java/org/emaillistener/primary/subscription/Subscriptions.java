package org.emaillistener.primary.subscription;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.MailboxStateReport;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailRoute;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.route.PerProtocol;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The live subscriptions of this replica, one per mailbox it holds the lease of. Serving a mailbox
 * that is already served replaces its subscription (new credentials) and keeps its cursors, so
 * nothing that arrived in between is lost. No call here waits for a mail server.
 */
@Service
public class Subscriptions {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    /**
     * What {@code ProcessMailboxState} names when no replica has room: no mail-server exception of
     * Creatio's table, so Creatio shows its generic error with the message.
     */
    static final String NO_CAPACITY = "System.InvalidOperationException";

    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final Cursors cursors;
    private final SyncJobOutbox jobs;
    private final CreatioClient creatio;
    private final HistoryImports historyImports;
    private final OneOffMailboxes oneOffs;
    private final MailRoutes routes;
    private final PerProtocol<MailboxWatchers> watchers;
    private final ParkedMessages parked;
    private final DeliveredMessages delivered;
    private final MeterRegistry meters;
    private final ConcurrentHashMap<UUID, Subscription> live = new ConcurrentHashMap<>();
    /** One at a time, so that thousands of mailboxes waiting for capacity do not flood Creatio. */
    private final ExecutorService capacityReports = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("capacity-report").factory());

    public Subscriptions(MailboxRegistry registry, SubscriptionStates states, Cursors cursors, SyncJobOutbox jobs,
            CreatioClient creatio, HistoryImports historyImports, OneOffMailboxes oneOffs, MailRoutes routes,
            List<MailboxWatchers> watchers, ParkedMessages parked, DeliveredMessages delivered, MeterRegistry meters) {
        this.registry = registry;
        this.states = states;
        this.cursors = cursors;
        this.jobs = jobs;
        this.creatio = creatio;
        this.historyImports = historyImports;
        this.oneOffs = oneOffs;
        this.routes = routes;
        this.watchers = PerProtocol.from("Watching", watchers);
        this.parked = parked;
        this.delivered = delivered;
        this.meters = meters;
        Gauge.builder("email.listener.subscriptions.active", live, Map::size)
                .description("Mailbox subscriptions held by this replica").register(meters);
        for (FailureKind kind : FailureKind.values()) {
            Gauge.builder("email.listener.mailboxes.in.error", live, subscriptions -> subscriptions.values().stream()
                    .filter(subscription -> subscription.failure() == kind).count())
                    .description("Subscriptions of this replica whose last connection attempt failed")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(meters);
        }
    }

    /**
     * The mailbox is registered but no replica has room for it: its state says so (and counts as
     * alive, so that Creatio does not recreate it in vain), and Creatio is told once, through
     * {@code ProcessMailboxState}, in the background. Serving it later reports the recovery.
     */
    public void waitForCapacity(RegisteredMailbox mailbox, String why) {
        states.save(mailbox.id(), new SubscriptionState(SubscriptionState.Status.WAITING_FOR_CAPACITY, null, why,
                Instant.now()));
        capacityReports.execute(() -> {
            try {
                creatio.reportMailboxState(mailbox.credentials(), MailboxStateReport.unavailable(
                        mailbox.credentials(), NO_CAPACITY, why));
            } catch (CreatioCallFailedException e) {
                log.warn("Mailbox {}: ProcessMailboxState (no capacity) failed: {}", mailbox.id(), e.getMessage());
            }
        });
    }

    /** Starts serving the mailbox here, or restarts its subscription with the credentials given. */
    public void serve(RegisteredMailbox mailbox) {
        MailRoute route = routes.of(mailbox.credentials());
        MailboxWatchers routeWatchers = watchers.of(route);
        Subscription fresh = new Subscription(mailbox, routeWatchers.logInWithCreatioToken(), registry, states, jobs,
                creatio, meters);
        fresh.attach(routeWatchers.create(mailbox, fresh));
        if (states.find(mailbox.id()).filter(state -> state.status() == SubscriptionState.Status.WAITING_FOR_CAPACITY).isPresent()) {
            fresh.owesAvailability();
        }
        states.save(mailbox.id(), SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        Subscription replaced = live.put(mailbox.id(), fresh);
        if (replaced != null) {
            fresh.inheritReportedFailure(replaced);
            replaced.stop();
        }
        fresh.start();
        log.info("Mailbox {} {} through {}: {}", mailbox.id(), replaced == null ? "subscribed" : "resubscribed",
                route, mailbox.credentials());
    }

    /** Stops serving the mailbox here (its lease is gone); it stays registered for another replica. */
    public void drop(UUID mailboxId) {
        Subscription subscription = live.remove(mailboxId);
        if (subscription != null) {
            subscription.stop();
            log.info("Mailbox {}: subscription stopped on this replica", mailboxId);
        }
    }

    /**
     * Until when a one-off history import of the mailbox (Creatio asked for it before {@code create})
     * takes its mail, if one holds it with these same credentials: a registration that follows starts
     * its new mail there, so nothing falls between the import and the subscription, and nothing is in
     * both. An import asked with other credentials (another server, login, password or Creatio) was
     * not asked by this mailbox's owner: it ends here, before it can go on with the owner's
     * registered credentials.
     */
    public Optional<Instant> adoptOneOffImport(SynchronizationCredentials credentials) {
        UUID mailboxId = credentials.Id();
        Optional<RegisteredMailbox> oneOff = oneOffs.find(mailboxId);
        if (oneOff.isEmpty()) {
            return Optional.empty();
        }
        if (sameMailbox(oneOff.get().credentials(), credentials)) {
            return Optional.of(oneOff.get().registeredAt());
        }
        oneOffs.release(mailboxId);
        historyImports.removeAll(mailboxId);
        log.warn("Mailbox {}: a history import asked before its registration named other credentials; it is ended",
                mailboxId);
        return Optional.empty();
    }

    private static boolean sameMailbox(SynchronizationCredentials asked, SynchronizationCredentials registered) {
        return Objects.equals(asked.ServerTypeId(), registered.ServerTypeId())
                && Objects.equals(lower(asked.ServiceUrl()), lower(registered.ServiceUrl()))
                && asked.Port() == registered.Port()
                && Objects.equals(asked.UserName(), registered.UserName())
                && Objects.equals(asked.secret(), registered.secret())
                && Objects.equals(asked.BpmEndpoint(), registered.BpmEndpoint());
    }

    private static String lower(String value) {
        return value == null ? null : value.strip().toLowerCase(Locale.ROOT);
    }

    /** The mailbox is registered now: its import goes on with the registered credentials. */
    public void registered(UUID mailboxId) {
        oneOffs.release(mailboxId);
    }

    /** Creatio's close: stop the subscription and forget the mailbox. */
    public boolean forget(UUID mailboxId) {
        boolean known = registry.remove(mailboxId);
        drop(mailboxId);
        states.remove(mailboxId);
        cursors.removeAll(mailboxId);
        historyImports.removeAll(mailboxId);
        oneOffs.release(mailboxId);
        parked.removeAll(mailboxId);
        delivered.removeAll(mailboxId);
        if (known) {
            log.info("Mailbox {} closed", mailboxId);
        }
        return known;
    }

    /** The mailboxes subscribed to on this replica. */
    public Set<UUID> served() {
        return Set.copyOf(live.keySet());
    }

    /** The mailbox as this replica's subscription of it knows it. */
    public Optional<RegisteredMailbox> servedMailbox(UUID mailboxId) {
        return Optional.ofNullable(live.get(mailboxId)).map(Subscription::mailbox);
    }

    /** Registered, and listening or on its way to: what Creatio's {@code subscriptionsstate} calls alive. */
    public boolean isAlive(UUID mailboxId) {
        return registry.find(mailboxId).isPresent()
                && states.find(mailboxId).map(SubscriptionState::alive).orElse(false);
    }
}
