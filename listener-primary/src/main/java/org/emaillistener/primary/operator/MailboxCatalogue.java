package org.emaillistener.primary.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every registered mailbox as a {@link MailboxRow}, kept in memory and current by the change log: a
 * list request reads what changed since the last one (one call when nothing did), then reloads the
 * changed mailboxes in batches, so that its cost follows the changes and the page, never the number of
 * mailboxes. The first request, and one after the log dropped changes it had not read, loads them all;
 * from the first request on, it also reads the log every {@link #KEEP_UP} by itself, well inside the
 * log's retention, so that a console left idle does not have to load everything again.
 */
public class MailboxCatalogue implements AutoCloseable {

    private static final Duration KEEP_UP = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(MailboxCatalogue.class);
    private static final int BATCH = 500;
    private static final int CHANGES_PER_READ = 10_000;
    private static final Duration RATE_WINDOW = Duration.ofMinutes(1);

    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final Leases leases;
    private final ParkedMessages parked;
    private final DeliveredMessages delivered;
    private final MailboxChanges changes;
    private final Cursors cursors;
    private final HistoryImports imports;
    private final MailRoutes routes;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final Map<UUID, MailboxRow> rows = new HashMap<>();
    /** When each lease last changed hands, from the log; guarded by {@link #lock}. */
    private final Map<UUID, Instant> leaseChanges = new HashMap<>();
    /** The deliveries of the last minute, from the log; guarded by {@link #lock}. */
    private final ArrayDeque<Instant> deliveries = new ArrayDeque<>();
    private String position;
    private int fullLoads;
    private ScheduledExecutorService keepingUp;

    public MailboxCatalogue(MailboxRegistry registry, SubscriptionStates states, Leases leases, ParkedMessages parked,
            DeliveredMessages delivered, MailboxChanges changes, Cursors cursors, HistoryImports imports,
            MailRoutes routes) {
        this.registry = registry;
        this.states = states;
        this.leases = leases;
        this.parked = parked;
        this.delivered = delivered;
        this.changes = changes;
        this.cursors = cursors;
        this.imports = imports;
        this.routes = routes;
    }

    /** The rows as they are now, with the replicas that are alive. */
    public Snapshot snapshot() {
        lock.lock();
        try {
            catchUp();
            Instant now = Instant.now();
            while (!deliveries.isEmpty() && deliveries.peekFirst().isBefore(now.minus(RATE_WINDOW))) {
                deliveries.removeFirst();
            }
            return new Snapshot(List.copyOf(rows.values()), leases.replicas(), deliveries.size(), now);
        } finally {
            lock.unlock();
        }
    }

    /** One mailbox as it is stored now, read afresh; empty if it is not registered. */
    public Optional<MailboxView> details(UUID id) {
        return registry.find(id).map(mailbox -> {
            SubscriptionState state = states.find(id).orElse(null);
            String owner = leases.holders(List.of(id)).get(id);
            boolean live = owner != null && leases.replicas().contains(owner);
            Instant ownerSince;
            lock.lock();
            try {
                ownerSince = leaseChanges.get(id);
            } finally {
                lock.unlock();
            }
            return MailboxView.of(mailbox, routes.of(mailbox.credentials()), ConsoleState.of(state, live), owner,
                    live, ownerSince, state, delivered.lastDeliveredAt(List.of(id)).get(id),
                    states.findDeliveryProblem(id).orElse(null), cursors.of(id), parked.of(id), imports.of(id));
        });
    }

    /** How often every mailbox was loaded: once, unless the log dropped changes before they were read. */
    int fullLoads() {
        return fullLoads;
    }

    private void catchUp() {
        if (position == null) {
            loadAll();
            return;
        }
        Set<UUID> changed = new HashSet<>();
        MailboxChanges.Changes read;
        do {
            read = changes.since(position, CHANGES_PER_READ);
            if (read.gap()) {
                loadAll();
                return;
            }
            for (MailboxChange change : read.changes()) {
                changed.add(change.mailboxId());
                if (change.kind() == MailboxChange.Kind.LEASE) {
                    leaseChanges.put(change.mailboxId(), change.at());
                } else if (change.kind() == MailboxChange.Kind.DELIVERED) {
                    deliveries.addLast(change.at());
                }
            }
            position = read.position();
        } while (read.more());
        reload(changed);
    }

    private void loadAll() {
        String end = changes.end();
        rows.clear();
        reload(registry.ids());
        position = end;
        fullLoads++;
        if (keepingUp == null) {
            keepingUp = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("mailbox-catalogue").factory());
            keepingUp.scheduleWithFixedDelay(this::keepUp, KEEP_UP.toMillis(), KEEP_UP.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void keepUp() {
        lock.lock();
        try {
            catchUp();
        } catch (RuntimeException e) {
            log.debug("The operator console could not read the change log now; the next request will", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (keepingUp != null) {
                keepingUp.shutdownNow();
            }
        } finally {
            lock.unlock();
        }
    }

    private void reload(Collection<UUID> ids) {
        List<UUID> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += BATCH) {
            List<UUID> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            Map<UUID, RegisteredMailbox> mailboxes = registry.findAll(batch);
            batch.stream().filter(id -> !mailboxes.containsKey(id)).forEach(id -> {
                rows.remove(id);
                leaseChanges.remove(id);
            });
            if (mailboxes.isEmpty()) {
                continue;
            }
            Set<UUID> present = mailboxes.keySet();
            Map<UUID, SubscriptionState> found = states.findAll(present);
            Map<UUID, DeliveryProblem> problems = states.findDeliveryProblems(present);
            Map<UUID, String> owners = leases.holders(present);
            Map<UUID, Integer> parkedCounts = parked.counts(present);
            Map<UUID, Instant> last = delivered.lastDeliveredAt(present);
            mailboxes.forEach((id, mailbox) -> rows.put(id, MailboxRow.of(mailbox,
                    routes.of(mailbox.credentials()).protocol(), found.get(id),
                    owners.get(id), leaseChanges.get(id), parkedCounts.getOrDefault(id, 0), problems.get(id),
                    last.get(id))));
        }
    }

    /**
     * @param rows every registered mailbox
     * @param liveReplicas the replicas whose heartbeat has not expired
     * @param deliveredLastMinute the messages delivered to Creatio in the last minute (counted from
     *        when this process started reading the log)
     */
    public record Snapshot(List<MailboxRow> rows, Set<String> liveReplicas, int deliveredLastMinute, Instant at) {

        ConsoleState stateOf(MailboxRow row) {
            return row.consoleState(liveReplicas);
        }

        /** The page the query asks for, with how many mailboxes match it in all. */
        public MailboxPage page(MailboxQuery query) {
            List<MailboxRow> matching = new ArrayList<>();
            for (MailboxRow row : rows) {
                if (query.matches(row, stateOf(row), at)) {
                    matching.add(row);
                }
            }
            Comparator<MailboxRow> order = query.sort().order(query.descending());
            long wanted = Math.min(matching.size(), (long) (query.page() + 1) * query.size());
            List<MailboxRow> first = wanted < matching.size() / 4 ? first(matching, (int) wanted, order)
                    : sorted(matching, order);
            int from = (int) Math.min(first.size(), (long) query.page() * query.size());
            int to = Math.min(first.size(), from + query.size());
            List<MailboxPage.Entry> entries = first.subList(from, to).stream()
                    .map(row -> MailboxPage.Entry.of(row, stateOf(row), liveReplicas)).toList();
            return new MailboxPage(matching.size(), query.page(), query.size(), entries);
        }

        private static List<MailboxRow> sorted(List<MailboxRow> rows, Comparator<MailboxRow> order) {
            rows.sort(order);
            return rows;
        }

        /** The first {@code count} rows in this order, without sorting them all: a page near the start. */
        private static List<MailboxRow> first(List<MailboxRow> rows, int count, Comparator<MailboxRow> order) {
            PriorityQueue<MailboxRow> kept = new PriorityQueue<>(count + 1, order.reversed());
            for (MailboxRow row : rows) {
                kept.add(row);
                if (kept.size() > count) {
                    kept.poll();
                }
            }
            List<MailboxRow> first = new ArrayList<>(kept);
            first.sort(order);
            return first;
        }
    }
}
