package org.emaillistener.common.creatio;

import java.time.Instant;

/** .NET ticks: 100-nanosecond intervals since 0001-01-01T00:00Z, the unit of {@code SendDateTimeStamp}. */
public final class DotNetTicks {

    /** Ticks at 1970-01-01T00:00Z. */
    static final long UNIX_EPOCH = 621_355_968_000_000_000L;

    private DotNetTicks() {
    }

    public static long of(Instant instant) {
        return UNIX_EPOCH + instant.getEpochSecond() * 10_000_000L + instant.getNano() / 100;
    }

    public static Instant toInstant(long ticks) {
        long sinceEpoch = ticks - UNIX_EPOCH;
        return Instant.ofEpochSecond(Math.floorDiv(sinceEpoch, 10_000_000L),
                Math.floorMod(sinceEpoch, 10_000_000L) * 100);
    }
}
