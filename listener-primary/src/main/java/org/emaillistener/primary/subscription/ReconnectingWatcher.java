package org.emaillistener.primary.subscription;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.retry.Backoff;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every mailbox watcher does whatever its protocol: on its own virtual thread, connect and
 * watch until something fails, tell the subscription, and unless it says not to (a refused login)
 * try again after a capped, jittered exponential back-off; until stopped. A subclass knows only how
 * to connect and watch.
 */
public abstract class ReconnectingWatcher implements MailboxWatcher {

    private static final Logger log = LoggerFactory.getLogger(ReconnectingWatcher.class);

    protected final RegisteredMailbox mailbox;
    protected final WatcherEvents events;
    private final String threadName;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Object stopSignal = new Object();
    private volatile boolean stopped;
    private Thread thread;

    protected ReconnectingWatcher(RegisteredMailbox mailbox, WatcherEvents events, String threadName,
            Duration initialDelay, Duration maxDelay) {
        this.mailbox = mailbox;
        this.events = events;
        this.threadName = threadName;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    /**
     * Connects and watches; returns when stopped, throws when the connection failed or broke.
     *
     * @param connected to be called once connected and watching: the failures so far are forgiven
     */
    protected abstract void connectAndWatch(Runnable connected) throws Exception;

    /** What kind of failure this is, for the subscription's state and Creatio; the protocol may know better. */
    protected MailboxFailure failureOf(Exception failure) {
        return MailboxFailure.of(failure);
    }

    /** Frees the connection of a stopped watcher; called on the stopping thread, must not block. */
    protected abstract void disconnect();

    @Override
    public final synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name(threadName + mailbox.id()).start(this::run);
        }
    }

    @Override
    public final void stop() {
        stopped = true;
        synchronized (stopSignal) {
            stopSignal.notifyAll();
        }
        disconnect();
    }

    protected final boolean stopped() {
        return stopped;
    }

    private void run() {
        // Every log line of this mailbox's connection names it: operators filter structured logs by it.
        MDC.put("mailboxId", mailbox.id().toString());
        int[] failures = { 0 };
        while (!stopped) {
            events.connecting(failures[0] > 0);
            try {
                connectAndWatch(() -> failures[0] = 0);
            } catch (Exception e) {
                if (stopped) {
                    break;
                }
                // A server may echo the password it refused: not into the log, Creatio or the state.
                String secret = mailbox.credentials().secret();
                MailboxFailure failure = failureOf(e).withoutSecret(secret);
                log.info("Mailbox {}: {}", mailbox.id(), failure.message());
                log.debug("Mailbox {} connection failure", mailbox.id(), MailboxFailure.withoutSecret(e, secret));
                if (!events.failed(failure)) {
                    break;
                }
                failures[0]++;
                pause(Backoff.exponential(initialDelay, maxDelay, failures[0]));
            }
        }
        log.debug("Mailbox {}: watcher ended", mailbox.id());
    }

    /** Waits, unless stopped first. */
    protected final void pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (stopSignal) {
            long left;
            while (!stopped && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(stopSignal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
