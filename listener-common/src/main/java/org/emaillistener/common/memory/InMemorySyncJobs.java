package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobDeferredException;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A sync-job queue in this JVM with the semantics of the broker's: at-least-once delivery,
 * redelivery with back-off after a failed handler (a deferral on its own shorter back-off, not
 * counted), a delivery limit and a dead-letter list.
 *
 * <p>A job whose twin (same mailbox and folder) waits in the queue is coalesced into it, as the
 * waiting one will see the same mail; but a twin that waits out a back-off is brought forward to
 * when the new job is due: an announcement of new mail never waits for an earlier failure's retry.
 *
 * <p>A worker survives whatever its handler throws, {@link Error}s included (they count as a
 * failure of that job); a worker that ends anyway is replaced after a second, and
 * {@link #consuming()} is false until then.
 */
public class InMemorySyncJobs implements SyncJobs, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InMemorySyncJobs.class);

    static final Duration NEW_MAIL_HEAD_START = Duration.ofMinutes(1);
    private static final Duration WORKER_REPLACEMENT_DELAY = Duration.ofSeconds(1);

    private final SyncJobProperties properties;
    private final DelayQueue<Delivery> queue = new DelayQueue<>();
    private final ConcurrentHashMap<String, Delivery> waiting = new ConcurrentHashMap<>();
    /** Jobs that reached the delivery limit, oldest first. */
    private final List<SyncJob> deadLetters = new CopyOnWriteArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger missingWorkers = new AtomicInteger();
    private volatile SyncJobHandler handler;
    private volatile boolean running;

    public InMemorySyncJobs(SyncJobProperties properties) {
        this.properties = properties;
    }

    /**
     * New mail goes ahead of catch-up work: a new-mail job counts as due {@link #NEW_MAIL_HEAD_START}
     * before it was published, so it is taken before every catch-up, safety and backlog job of the
     * last minute (10,000 connect catch-ups of a starting replica must not delay mail that is
     * announced now). Order among jobs that are due is by due time; a retry waits its back-off.
     */
    @Override
    public void publish(SyncJob job) {
        long headStart = job.reason() == SyncJob.Reason.NEW_MAIL ? NEW_MAIL_HEAD_START.toNanos() : 0;
        enqueue(new Delivery(job, 0, 0, System.nanoTime() - headStart));
    }

    @Override
    public synchronized void consume(SyncJobHandler handler) {
        if (this.handler != null) {
            throw new IllegalStateException("a consumer is already registered");
        }
        this.handler = handler;
        if (running) {
            startWorkers();
        }
    }

    @Override
    public long depth() {
        return queue.size();
    }

    @Override
    public boolean consuming() {
        return missingWorkers.get() == 0;
    }

    @Override
    public long deadLetterDepth() {
        return deadLetters.size();
    }

    @Override
    public synchronized int replayDeadLetters(int max) {
        int replayed = 0;
        while (replayed < max && !deadLetters.isEmpty()) {
            publish(deadLetters.removeFirst());
            replayed++;
        }
        return replayed;
    }

    /**
     * Queues the delivery unless its twin waits already; a twin that is due later (a retry's
     * back-off) is replaced by one due as soon as this delivery, keeping the twin's counts and the
     * more urgent of the two jobs.
     */
    private void enqueue(Delivery delivery) {
        String key = delivery.job().key();
        while (true) {
            Delivery twin = waiting.putIfAbsent(key, delivery);
            if (twin == null) {
                queue.put(delivery);
                return;
            }
            if (twin.dueAtNanos() - delivery.dueAtNanos() <= 0) {
                return;
            }
            Delivery sooner = new Delivery(urgent(twin.job(), delivery.job()), Math.max(twin.failures(),
                    delivery.failures()), Math.max(twin.deferrals(), delivery.deferrals()), delivery.dueAtNanos());
            if (waiting.replace(key, twin, sooner)) {
                if (queue.remove(twin)) {
                    queue.put(sooner);
                } else {
                    // A worker took the twin meanwhile and is about to run it: it sees the same mail.
                    waiting.remove(key, sooner);
                }
                return;
            }
        }
    }

    private static SyncJob urgent(SyncJob first, SyncJob second) {
        return MailboxLocks.Dirty.rank(second.reason()) > MailboxLocks.Dirty.rank(first.reason()) ? second : first;
    }

    private void work() {
        while (running) {
            Delivery delivery;
            try {
                delivery = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            waiting.remove(delivery.job().key(), delivery);
            try {
                handler.handle(delivery.job());
            } catch (SyncJobDeferredException e) {
                defer(delivery, e);
            } catch (InterruptedException e) {
                redeliver(delivery, e);
                return;
            } catch (Exception | Error e) {
                redeliver(delivery, e);
            }
        }
    }

    /** A worker's whole life: a worker that ends while the queue runs is replaced. */
    private void workUntilStopped() {
        try {
            work();
        } finally {
            if (running) {
                missingWorkers.incrementAndGet();
                log.error("A sync-job worker ended unexpectedly; replacing it in {} ms",
                        WORKER_REPLACEMENT_DELAY.toMillis());
                Thread.ofVirtual().name("sync-job-replacement").start(this::replaceWorker);
            }
        }
    }

    private void replaceWorker() {
        try {
            Thread.sleep(WORKER_REPLACEMENT_DELAY);
        } catch (InterruptedException e) {
            return;
        }
        synchronized (this) {
            if (running) {
                workers.removeIf(worker -> !worker.isAlive());
                workers.add(Thread.ofVirtual().name("sync-job-" + workers.size()).start(this::workUntilStopped));
            }
            missingWorkers.decrementAndGet();
        }
    }

    private void defer(Delivery delivery, SyncJobDeferredException deferral) {
        int deferrals = delivery.deferrals() + 1;
        Duration delay = properties.deferralDelay(deferrals);
        log.debug("Sync job {} deferred ({}); again in {} ms", delivery.job(), deferral.getMessage(), delay.toMillis());
        enqueue(new Delivery(delivery.job(), delivery.failures(), deferrals, System.nanoTime() + delay.toNanos()));
    }

    private void redeliver(Delivery delivery, Throwable failure) {
        int failures = delivery.failures() + 1;
        if (failures >= properties.deliveryLimit()) {
            deadLetters.add(delivery.job());
            log.error("Sync job {} failed {} times and is dead-lettered; last failure: {}", delivery.job(), failures,
                    failure.toString());
            handler.deadLettered(delivery.job(), failure);
            return;
        }
        Duration delay = properties.retryDelay(failures);
        log.info("Sync job {} failed ({}); delivery {} in {} ms", delivery.job(), failure.toString(), failures + 1,
                delay.toMillis());
        enqueue(new Delivery(delivery.job(), failures, delivery.deferrals(), System.nanoTime() + delay.toNanos()));
    }

    private void startWorkers() {
        for (int i = 0; i < properties.concurrency(); i++) {
            workers.add(Thread.ofVirtual().name("sync-job-" + i).start(this::workUntilStopped));
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        if (handler != null && workers.isEmpty()) {
            startWorkers();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        workers.forEach(Thread::interrupt);
        workers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private record Delivery(SyncJob job, int failures, int deferrals, long dueAtNanos) implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueAtNanos, ((Delivery) other).dueAtNanos);
        }
    }
}
