package org.emaillistener.primary.ownership;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Decides which registered mailboxes this replica serves. A mailbox Creatio registers here is
 * claimed at once if nobody holds it; every reconcile round then renews this replica's leases (a
 * lease it lost stops that subscription at once), applies credentials changed through another
 * replica, claims unowned mailboxes up to the fair share (mailboxes / live replicas, capped by
 * capacity), and hands a few surplus mailboxes back when new replicas joined. On shutdown every
 * lease is released so the others take over at once.
 */
@Service
public class MailboxOwnership implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailboxOwnership.class);

    private final MailboxRegistry registry;
    private final Leases leases;
    private final Subscriptions subscriptions;
    private final OwnershipProperties properties;
    private final String replica;
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger unowned = new AtomicInteger();
    /**
     * Subscriptions held here as of the last round, plus those {@link #register} started since: Creatio
     * registers mailboxes one by one, and counting the subscriptions for each (a copy of the set) made
     * registering 10,000 quadratic.
     */
    private final AtomicInteger servedCount = new AtomicInteger();
    /** Mailboxes this replica marked as waiting for capacity, while they stay unowned. */
    private final Set<UUID> waitingForCapacity = ConcurrentHashMap.newKeySet();
    private volatile int unservedWarned;
    private ScheduledExecutorService rounds;
    private volatile boolean running;

    public MailboxOwnership(MailboxRegistry registry, Leases leases, Subscriptions subscriptions,
            OwnershipProperties properties, MeterRegistry meters) {
        this.registry = registry;
        this.leases = leases;
        this.subscriptions = subscriptions;
        this.properties = properties;
        this.replica = ReplicaIdentity.nameOf(properties.replicaId());
        Gauge.builder("email.listener.subscriptions.capacity", properties, OwnershipProperties::capacity)
                .description("The most mailboxes this replica subscribes to; 0 for no limit").register(meters);
        Gauge.builder("email.listener.mailboxes.registered", registered, AtomicInteger::get)
                .description("Mailboxes registered by Creatio, as of this replica's last ownership round")
                .register(meters);
        Gauge.builder("email.listener.mailboxes.unowned", unowned, AtomicInteger::get)
                .description("Registered mailboxes no replica holds, as of this replica's last ownership round")
                .register(meters);
    }

    public String replica() {
        return replica;
    }

    /** Creatio's create, recreate and update: register the mailbox; serve it here if nobody does. */
    public void register(SynchronizationCredentials credentials) {
        RegisteredMailbox mailbox = registry.find(credentials.Id())
                .map(known -> known.withCredentials(credentials))
                .orElseGet(() -> new RegisteredMailbox(credentials,
                        subscriptions.adoptOneOffImport(credentials).orElseGet(Instant::now)));
        if (!registry.saveWithin(mailbox, properties.maxMailboxesPerCreatioHost())) {
            log.warn("Mailbox {} refused: its Creatio host {} has {} mailboxes already (listener.primary."
                    + "max-mailboxes-per-creatio-host)", mailbox.id(), mailbox.creatioHost(),
                    properties.maxMailboxesPerCreatioHost());
            throw new RegistrationLimitException("Creatio host " + mailbox.creatioHost() + " has "
                    + properties.maxMailboxesPerCreatioHost() + " mailboxes registered, the most this listener "
                    + "takes for one host (listener.primary.max-mailboxes-per-creatio-host)");
        }
        subscriptions.registered(mailbox.id());
        boolean servedHere = subscriptions.servedMailbox(mailbox.id()).isPresent();
        boolean room = servedHere || servedCount.get() < properties.limit();
        if (running && room && leases.tryAcquire(mailbox.id(), replica, properties.leaseTtl())) {
            subscriptions.serve(mailbox);
            if (!servedHere) {
                servedCount.incrementAndGet();
            }
        } else if (running && !room && leases.holders(Set.of(mailbox.id())).isEmpty()) {
            waitForCapacity(List.of(mailbox));
            warnAtCapacity(waitingForCapacity.size());
        } else {
            log.info("Mailbox {} registered; another replica serves it", mailbox.id());
        }
    }

    /** Creatio's close: the mailbox is no longer served, by any replica. */
    public boolean close(UUID mailboxId) {
        boolean known = subscriptions.forget(mailboxId);
        leases.revoke(mailboxId);
        return known;
    }

    /**
     * Starts the mailbox's subscription again, wherever it is served: here at once; elsewhere by
     * ending its lease, so its holder stops it at its next round and a replica claims it afresh, as
     * after a replica's failure. For a subscription the mail server ended, which only its holder can
     * make again.
     */
    public void resubscribe(UUID mailboxId) {
        RegisteredMailbox mailbox = registry.find(mailboxId).orElse(null);
        if (mailbox == null) {
            return;
        }
        if (subscriptions.servedMailbox(mailboxId).isPresent()) {
            subscriptions.serve(mailbox);
        } else {
            leases.revoke(mailboxId);
            log.info("Mailbox {}: its subscription is to be made again; its lease is ended for a replica to "
                    + "claim it afresh", mailboxId);
        }
    }

    /** One round; runs on the ownership thread. */
    void reconcile() {
        try {
            Set<UUID> served = subscriptions.served();
            Set<UUID> kept = served.isEmpty() ? Set.of() : leases.renew(served, replica, properties.leaseTtl());
            for (UUID lost : served) {
                if (!kept.contains(lost)) {
                    log.warn("Mailbox {}: the lease was lost (taken by another replica, or ended for the subscription "
                            + "to be made again); stopping this subscription", lost);
                    subscriptions.drop(lost);
                }
            }
            int replicas = Math.max(1, leases.heartbeat(replica, properties.leaseTtl()));
            Set<UUID> registered = registry.ids();
            this.registered.set(registered.size());
            followRegistry(kept);
            int fairShare = Math.min(properties.limit(), (registered.size() + replicas - 1) / replicas);
            handOverSurplus(fairShare);
            int left = claim(registered, fairShare);
            unowned.set(left);
            if (left == 0) {
                warnAtCapacity(0);
            }
            servedCount.set(subscriptions.served().size());
        } catch (RuntimeException e) {
            log.warn("Ownership round failed: {}", e.toString());
        }
    }

    /** Mailboxes closed or updated through another replica; all held ones read in one batch. */
    private void followRegistry(Set<UUID> held) {
        if (held.isEmpty()) {
            return;
        }
        Map<UUID, RegisteredMailbox> current = registry.findAll(held);
        List<UUID> closed = new ArrayList<>();
        for (UUID id : held) {
            RegisteredMailbox mailbox = current.get(id);
            if (mailbox == null) {
                subscriptions.drop(id);
                closed.add(id);
            } else if (subscriptions.servedMailbox(id).map(served -> !served.equals(mailbox)).orElse(false)) {
                subscriptions.serve(mailbox);
            }
        }
        if (!closed.isEmpty()) {
            leases.release(closed, replica);
        }
    }

    private void handOverSurplus(int fairShare) {
        List<UUID> served = new ArrayList<>(subscriptions.served());
        int surplus = served.size() - fairShare;
        if (surplus <= 1) {
            return;
        }
        Collections.shuffle(served);
        List<UUID> handed = served.subList(0, Math.min(surplus, properties.handoversPerRound()));
        handed.forEach(subscriptions::drop);
        leases.release(handed, replica);
        log.info("Handed {} mailbox(es) over to other replicas (fair share {})", handed.size(), fairShare);
    }

    /**
     * Claims unowned mailboxes up to the fair share. Who holds what is read in one batch first, so
     * that a replica among many full ones does not try every lease in turn.
     *
     * @return how many registered mailboxes nobody holds after the claims
     */
    private int claim(Set<UUID> registered, int fairShare) {
        Set<UUID> served = new HashSet<>(subscriptions.served());
        Map<UUID, String> holders = leases.holders(registered);
        List<UUID> candidates = new ArrayList<>(registered);
        candidates.removeIf(holders::containsKey);
        Collections.shuffle(candidates);
        int claimed = 0;
        List<UUID> left = new ArrayList<>();
        for (UUID id : candidates) {
            if (served.size() + claimed >= fairShare || !running) {
                left.add(id);
                continue;
            }
            RegisteredMailbox mailbox = registry.find(id).orElse(null);
            if (mailbox != null && leases.tryAcquire(id, replica, properties.leaseTtl())) {
                subscriptions.serve(mailbox);
                claimed++;
            }
        }
        if (claimed > 0) {
            log.info("Claimed {} mailbox(es); serving {}", claimed, served.size() + claimed);
        }
        waitingForCapacity.retainAll(new HashSet<>(left));
        if (!left.isEmpty() && served.size() + claimed >= properties.limit() && running) {
            List<UUID> newlyWaiting = left.stream().filter(id -> !waitingForCapacity.contains(id)).toList();
            waitForCapacity(registry.findAll(new HashSet<>(newlyWaiting)).values());
            warnAtCapacity(left.size());
        }
        return candidates.size() - claimed;
    }

    /** Marks mailboxes that no replica has room for, so that their state and Creatio say so. */
    private void waitForCapacity(Collection<RegisteredMailbox> mailboxes) {
        String why = "Every email listener replica serves as many mailboxes as its capacity allows ("
                + properties.capacity() + "); this one is served when a replica has room";
        for (RegisteredMailbox mailbox : mailboxes) {
            if (waitingForCapacity.add(mailbox.id())) {
                subscriptions.waitForCapacity(mailbox, why);
            }
        }
    }

    /** Once per change of the count: how many registered mailboxes wait for capacity. */
    private void warnAtCapacity(int unserved) {
        if (unserved == unservedWarned) {
            return;
        }
        unservedWarned = unserved;
        if (unserved > 0) {
            log.warn("Replica {} is at its capacity of {} mailboxes and {} registered mailbox(es) are served by no "
                    + "replica: add replicas, or raise listener.primary.capacity", replica, properties.capacity(),
                    unserved);
        } else {
            log.info("Every registered mailbox is served");
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        rounds = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("mailbox-ownership").daemon()
                .factory());
        rounds.scheduleWithFixedDelay(this::reconcile, 0, properties.reconcileInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        if (properties.limited()) {
            log.info("Replica {} serves up to {} mailboxes (listener.primary.capacity)", replica,
                    properties.capacity());
        } else {
            log.info("Replica {} serves every mailbox it is given (listener.primary.capacity=0: no limit)", replica);
        }
    }

    /** SIGTERM: stop every subscription and release its lease, so other replicas take over at once. */
    @Override
    public synchronized void stop() {
        running = false;
        if (rounds != null) {
            rounds.shutdownNow();
            try {
                rounds.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Set<UUID> served = subscriptions.served();
        served.forEach(subscriptions::drop);
        leases.leave(replica);
        if (!served.isEmpty()) {
            leases.release(served, replica);
            log.info("Released {} mailbox(es) for other replicas", served.size());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
