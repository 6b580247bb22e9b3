package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.emaillistener.common.creatio.CreatioCircuit;
import org.emaillistener.common.route.MailProtocol;

/**
 * The whole deployment at a glance.
 *
 * @param byState how many mailboxes are in each console state (every state named, zero included)
 * @param byProtocol how many are reached by each protocol
 * @param replicas the live replicas with how many mailboxes each holds, and its capacity (0: none)
 * @param queue the sync queue: jobs waiting, and jobs given up after the delivery limit
 * @param parkedMessages the messages parked in all; {@code mailboxesWithParked} the mailboxes they are of
 * @param deliveryProblems the mailboxes whose mail does not reach Creatio now
 * @param creatioHosts each Creatio the mailboxes deliver to
 * @param deliveredLastMinute messages delivered to Creatio in the last minute
 * @param recentActions the operators' last actions, newest first
 */
public record Overview(Instant at, int mailboxes, Map<ConsoleState, Integer> byState, Map<MailProtocol, Integer> byProtocol,
        List<Replica> replicas, Queue queue, int parkedMessages, int mailboxesWithParked, int deliveryProblems,
        List<CreatioHost> creatioHosts, int deliveredLastMinute, List<OperatorActions.Action> recentActions) {

    /** @param self whether it is the replica that answered */
    public record Replica(String id, int held, int capacity, boolean self) {
    }

    public record Queue(long depth, long deadLetters) {
    }

    /**
     * @param circuit the state of this process's circuit to it (CLOSED, OPEN, HALF_OPEN), or null if this
     *        process did not call it
     * @param failureRate the percentage of this process's last calls to it that failed; -1: too few calls
     */
    public record CreatioHost(String host, int mailboxes, int parked, int deliveryProblems, String circuit,
            float failureRate) {
    }

    public static Overview of(MailboxCatalogue.Snapshot snapshot, String self, int capacity, Queue queue,
            List<CreatioCircuit> circuits, List<OperatorActions.Action> actions) {
        Map<ConsoleState, Integer> byState = new EnumMap<>(ConsoleState.class);
        for (ConsoleState state : ConsoleState.values()) {
            byState.put(state, 0);
        }
        Map<MailProtocol, Integer> byProtocol = new EnumMap<>(MailProtocol.class);
        for (MailProtocol protocol : MailProtocol.values()) {
            byProtocol.put(protocol, 0);
        }
        Map<String, Integer> held = new TreeMap<>();
        snapshot.liveReplicas().forEach(replica -> held.put(replica, 0));
        Map<String, int[]> hosts = new TreeMap<>();
        int parked = 0;
        int withParked = 0;
        int problems = 0;
        for (MailboxRow row : snapshot.rows()) {
            byState.merge(snapshot.stateOf(row), 1, Integer::sum);
            byProtocol.merge(row.protocol(), 1, Integer::sum);
            if (row.owner() != null && held.containsKey(row.owner())) {
                held.merge(row.owner(), 1, Integer::sum);
            }
            int[] host = hosts.computeIfAbsent(row.creatioHost(), h -> new int[3]);
            host[0]++;
            host[1] += row.parked();
            parked += row.parked();
            if (row.parked() > 0) {
                withParked++;
            }
            if (row.deliveryProblem() != null) {
                problems++;
                host[2]++;
            }
        }
        List<Replica> replicas = new ArrayList<>();
        held.forEach((replica, count) -> replicas.add(new Replica(replica, count, capacity, replica.equals(self))));
        List<CreatioHost> creatioHosts = new ArrayList<>();
        hosts.forEach((host, counts) -> {
            CreatioCircuit circuit = circuits.stream()
                    .filter(c -> c.creatio().toLowerCase(Locale.ROOT).contains("://" + host + ":")).findFirst()
                    .orElse(null);
            creatioHosts.add(new CreatioHost(host, counts[0], counts[1], counts[2],
                    circuit == null ? null : circuit.state(), circuit == null ? -1 : circuit.failureRate()));
        });
        return new Overview(snapshot.at(), snapshot.rows().size(), byState, byProtocol, replicas, queue, parked,
                withParked, problems, creatioHosts, snapshot.deliveredLastMinute(), actions);
    }
}
