package org.emaillistener.common.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import tools.jackson.databind.JsonNode;

/**
 * Mail sent on a schedule to a {@link TrafficMailServer}, and what the Creatio stand-in accepted of
 * it: each message's latency from its store to Creatio's 2xx, the lost and the duplicated.
 */
public final class MailTraffic {

    private final String scenario;
    private final TrafficMailServer server;
    private final Map<String, Long> storedAtNanos = new LinkedHashMap<>();
    private int sequence;

    public MailTraffic(String scenario, TrafficMailServer server) {
        this.scenario = scenario;
        this.server = server;
    }

    /**
     * Sends {@code count} messages round robin to {@code users}, {@code perSecond} of them a second on
     * an exact schedule (a late send does not push the later ones back).
     */
    public void send(List<String> users, int count, int perSecond) throws IOException {
        long start = System.nanoTime();
        long interval = 1_000_000_000L / perSecond;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String user = users.get(i % users.size());
            String subject = scenario + " #" + (++sequence) + " to " + user;
            server.deliver(user, mime(user, subject));
            storedAtNanos.put(subject, System.nanoTime());
        }
    }

    /** Sent so far. */
    public int sent() {
        return storedAtNanos.size();
    }

    /** Whether Creatio accepted every message sent. */
    public boolean allArrived(CreatioStandIn creatio) {
        return report(creatio, 0).lost() == 0;
    }

    /**
     * What arrived: latencies from the later of each message's store and {@code sinceNanos} (to
     * measure from when Creatio came back) to its first 2xx.
     */
    public Report report(CreatioStandIn creatio, long sinceNanos) {
        Map<String, Long> firstAcceptedAt = new HashMap<>();
        Map<String, Integer> acceptances = new HashMap<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            if (call.status() / 100 != 2) {
                continue;
            }
            for (JsonNode email : call.body().get("Emails")) {
                String subject = email.get("Subject").asString();
                if (storedAtNanos.containsKey(subject)) {
                    firstAcceptedAt.merge(subject, call.receivedAtNanos(), Math::min);
                    acceptances.merge(subject, 1, Integer::sum);
                }
            }
        }
        List<Long> latencies = new ArrayList<>();
        int lost = 0;
        for (var stored : storedAtNanos.entrySet()) {
            Long accepted = firstAcceptedAt.get(stored.getKey());
            if (accepted == null) {
                lost++;
            } else {
                latencies.add(accepted - Math.max(stored.getValue(), sinceNanos));
            }
        }
        latencies.sort(null);
        int duplicated = (int) acceptances.values().stream().filter(times -> times > 1).count();
        return new Report(scenario, server.name(), storedAtNanos.size(), lost, duplicated, latencies);
    }

    private static byte[] mime(String to, String subject) {
        String message = "From: Alice Example <alice@example.com>\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + Integer.toHexString(subject.hashCode()) + "." + System.nanoTime()
                + "@traffic.example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                + "Hello from " + subject + "\r\n";
        return message.getBytes(StandardCharsets.UTF_8);
    }

    /** @param latenciesNanos of the messages that arrived, ascending */
    public record Report(String scenario, String server, int sent, int lost, int duplicated,
            List<Long> latenciesNanos) {

        public Duration percentile(double percent) {
            if (latenciesNanos.isEmpty()) {
                return Duration.ZERO;
            }
            int index = (int) Math.ceil(percent / 100 * latenciesNanos.size()) - 1;
            return Duration.ofNanos(latenciesNanos.get(Math.max(0, Math.min(index, latenciesNanos.size() - 1))));
        }

        public Duration max() {
            return percentile(100);
        }

        /** Messages that arrived later than the deadline, plus those that did not arrive. */
        public long lateOrLost(Duration deadline) {
            return lost + latenciesNanos.stream().filter(latency -> latency > deadline.toNanos()).count();
        }

        @Override
        public String toString() {
            return "%s on %s: sent %d, lost %d, duplicated %d, p50 %d ms, p99 %d ms, max %d ms".formatted(scenario,
                    server, sent, lost, duplicated, percentile(50).toMillis(), percentile(99).toMillis(),
                    max().toMillis());
        }
    }
}
