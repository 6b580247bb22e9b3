package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A sync-job queue in this JVM with the semantics of the broker's: at-least-once delivery,
 * redelivery with back-off after a failed handler, a delivery limit and a dead-letter list. A job
 * whose twin (same mailbox and folder) is still waiting in the queue is coalesced into it: the
 * waiting one will see the same mail.
 */
public class InMemorySyncJobs implements SyncJobs, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InMemorySyncJobs.class);

    static final Duration NEW_MAIL_HEAD_START = Duration.ofMinutes(1);

    private final SyncJobProperties properties;
    private final DelayQueue<Delivery> queue = new DelayQueue<>();
    private final ConcurrentHashMap<String, Delivery> waiting = new ConcurrentHashMap<>();
    private final List<SyncJob> deadLetters = new CopyOnWriteArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
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
        enqueue(new Delivery(job, 0, System.nanoTime() - headStart));
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

    /** Jobs that reached the delivery limit, oldest first. */
    public List<SyncJob> deadLetters() {
        return List.copyOf(deadLetters);
    }

    private void enqueue(Delivery delivery) {
        if (waiting.putIfAbsent(delivery.job().key(), delivery) == null) {
            queue.put(delivery);
        }
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
            } catch (InterruptedException e) {
                redeliver(delivery, e);
                return;
            } catch (Exception e) {
                redeliver(delivery, e);
            }
        }
    }

    private void redeliver(Delivery delivery, Exception failure) {
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
        enqueue(new Delivery(delivery.job(), failures, System.nanoTime() + delay.toNanos()));
    }

    private void startWorkers() {
        for (int i = 0; i < properties.concurrency(); i++) {
            workers.add(Thread.ofVirtual().name("sync-job-" + i).start(this::work));
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

    private record Delivery(SyncJob job, int failures, long dueAtNanos) implements Delayed {

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
