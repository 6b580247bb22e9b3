package org.emaillistener.primary.imap;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spreads the logins of all watchers to one mail server over time, at most
 * {@code listener.imap.logins-per-second} with a burst of a tenth of a second's worth: when a replica
 * starts, or takes over a dead one's mailboxes, thousands of watchers would otherwise log in at once,
 * and servers answer a login storm by refusing logins or blocking the address. Each server (host and
 * port) has its own bucket, so a slow one holds nobody else up.
 */
final class LoginPacing {

    private final long intervalNanos;
    private final long burstNanos;
    /** Per server, the earliest time the next login may start (GCRA's theoretical arrival time). */
    private final ConcurrentHashMap<String, AtomicLong> nextLogin = new ConcurrentHashMap<>();

    private final LongSupplier clock;

    /** @param loginsPerSecond 0 for no limit */
    LoginPacing(int loginsPerSecond) {
        this(loginsPerSecond, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} counts them */
    LoginPacing(int loginsPerSecond, LongSupplier clock) {
        this.clock = clock;
        this.intervalNanos = loginsPerSecond <= 0 ? 0 : 1_000_000_000L / loginsPerSecond;
        this.burstNanos = intervalNanos * Math.max(0, loginsPerSecond / 10 - 1);
    }

    /** Reserves a login to the server; the caller waits the returned time before it logs in. */
    Duration reserve(String host, int port) {
        if (intervalNanos == 0) {
            return Duration.ZERO;
        }
        long now = clock.getAsLong();
        AtomicLong next = nextLogin.computeIfAbsent(String.valueOf(host).toLowerCase(Locale.ROOT) + ":" + port,
                server -> new AtomicLong(now - burstNanos));
        long start = next.getAndUpdate(at -> Math.max(at, now - burstNanos) + intervalNanos);
        return Duration.ofNanos(Math.max(0, Math.max(start, now - burstNanos) - now));
    }
}
