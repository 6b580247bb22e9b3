package org.emaillistener.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.testing.CreatioStandIn;

import tools.jackson.databind.JsonNode;

/**
 * The benchmark's mail, from the moment a mail server stored it until Creatio's stand-in received it
 * in {@code ProcessFullEmail}: each message carries its sequence number in a header
 * ({@link BenchMessages#SEQUENCE_HEADER}), noted here when it was stored and read back from the
 * stand-in's calls.
 */
final class Deliveries {

    private final CreatioStandIn creatio;
    private final AtomicInteger sequences = new AtomicInteger();
    private final Map<Integer, Long> storedAt = new ConcurrentHashMap<>();

    Deliveries(CreatioStandIn creatio) {
        this.creatio = creatio;
    }

    /** Stores messages in a mail server: one connection's worth. */
    interface Sender extends AutoCloseable {

        /** Stores message {@code sequence} of about {@code size} bytes in mailbox {@code mailbox}; returns once it is stored. */
        void send(int sequence, int mailbox, int size) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /** Opens a {@link Sender}. */
    interface Senders {
        Sender open() throws Exception;
    }

    /**
     * The latency of mail stored at a steady rate until Creatio's stand-in has it, in runs.
     *
     * @param p50 the median of the runs' medians
     * @param p99 the median of the runs' 99th percentiles
     * @param lost messages of the runs that did not arrive
     */
    record Latency(double p50, double p99, List<Double> p50s, List<Double> p99s, long lost, int seconds) {

        String describeP50() {
            return String.format(Locale.ROOT, "%.1f ms (median of %d runs of %d s; runs %s)", p50, p50s.size(),
                    seconds, rounded(p50s));
        }

        String describeP99() {
            return String.format(Locale.ROOT, "%.1f ms (runs %s; %d lost)", p99, rounded(p99s), lost);
        }

        private static String rounded(List<Double> values) {
            return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList().toString();
        }
    }

    /**
     * {@code runs} runs of {@code seconds}, each storing {@code rate} messages a second (2 KB) spread
     * over the first {@code spread} mailboxes, after a short warm-up (JIT, connection pools) that is
     * not measured; each run waits up to {@code deliveryTimeout} for its mail.
     */
    Latency latency(Senders senders, int connections, int rate, int seconds, int spread, int runs,
            Duration deliveryTimeout) throws Exception {
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        long lost = 0;
        send(senders, connections, Math.min(rate * 3, 300), rate, spread, 2_000);
        awaitAll(deliveryTimeout);
        for (int run = 0; run < runs; run++) {
            List<Integer> sent = send(senders, connections, rate * seconds, rate, spread, 2_000);
            awaitAll(deliveryTimeout);
            List<Double> latencies = latencies(sent);
            lost += sent.size() - latencies.size();
            p50s.add(percentile(latencies, 50));
            p99s.add(percentile(latencies, 99));
            System.out.printf("  latency run %d: %d mails, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", run + 1,
                    latencies.size(), percentile(latencies, 50), percentile(latencies, 99),
                    latencies.isEmpty() ? Double.NaN : latencies.getLast());
        }
        Collections.sort(p50s);
        Collections.sort(p99s);
        return new Latency(p50s.get(p50s.size() / 2), p99s.get(p99s.size() / 2), p50s, p99s, lost, seconds);
    }

    /**
     * Stores {@code count} messages, spread round-robin over the first {@code spread} mailboxes, at
     * {@code rate} per second (0: as fast as the server takes them), from {@code connections}
     * connections; notes when each was stored.
     *
     * @return their sequence numbers
     */
    List<Integer> send(Senders senders, int connections, int count, int rate, int spread, int size)
            throws Exception {
        BlockingQueue<int[]> work = new LinkedBlockingQueue<>();
        List<Integer> sent = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < connections; s++) {
                done.add(workers.submit(() -> {
                    try (Sender sender = senders.open()) {
                        while (true) {
                            int[] next = work.take();
                            if (next[0] < 0) {
                                return null;
                            }
                            sender.send(next[0], next[1], size);
                            storedAt.put(next[0], System.nanoTime());
                        }
                    }
                }));
            }
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (rate > 0) {
                    long wait = start + i * 1_000_000_000L / rate - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                int sequence = sequences.getAndIncrement();
                sent.add(sequence);
                work.add(new int[] { sequence, sequence % spread });
            }
            for (int s = 0; s < connections; s++) {
                work.add(new int[] { -1, -1 });
            }
            for (var future : done) {
                future.get();
            }
        }
        return sent;
    }

    /** Waits until the stand-in accepted as many emails as were sent, or the timeout passed. */
    void awaitAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && creatio.acceptedEmails().size() < sequences.get()) {
            Thread.sleep(100);
        }
    }

    /** The latencies of these messages that arrived, in milliseconds, sorted. */
    List<Double> latencies(List<Integer> sent) {
        Map<Integer, Long> firstReceived = new ConcurrentHashMap<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            if (call.status() / 100 == 2) {
                for (JsonNode email : call.body().get("Emails")) {
                    firstReceived.merge(sequence(email), call.receivedAtNanos(), Math::min);
                }
            }
        }
        List<Double> latencies = new ArrayList<>();
        for (int sequence : sent) {
            Long received = firstReceived.get(sequence);
            Long stored = storedAt.get(sequence);
            if (received != null && stored != null) {
                latencies.add((received - stored) / 1e6);
            }
        }
        latencies.sort(Double::compare);
        return latencies;
    }

    /** How many of these messages Creatio accepted more than once. */
    long duplicates(List<Integer> sent) {
        Map<Integer, Integer> accepted = new ConcurrentHashMap<>();
        for (JsonNode email : creatio.acceptedEmails()) {
            accepted.merge(sequence(email), 1, Integer::sum);
        }
        return sent.stream().filter(sequence -> accepted.getOrDefault(sequence, 0) > 1).count();
    }

    /** The benchmark's sequence number of a Creatio email, from its {@code Headers}; -1 for another email. */
    static int sequence(JsonNode email) {
        for (JsonNode header : email.get("Headers")) {
            String value = header.asString();
            if (value.startsWith(BenchMessages.SEQUENCE_HEADER + "=")) {
                return Integer.parseInt(value.substring(BenchMessages.SEQUENCE_HEADER.length() + 1).trim());
            }
        }
        return -1;
    }

    static double percentile(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
