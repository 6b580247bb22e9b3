package org.emaillistener.common.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped, jittered exponential back-off: step n waits between half and all of
 * {@code min(max, initial * 2^(n-1))}, so that many mailboxes failing together do not retry together.
 */
public final class Backoff {

    private Backoff() {
    }

    public static Duration exponential(Duration initial, Duration max, int attempt) {
        long initialMillis = Math.max(1, initial.toMillis());
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long step = Math.min(max.toMillis(), initialMillis << shift);
        long half = step / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(step - half + 1));
    }
}
