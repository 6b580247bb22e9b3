package org.emaillistener.standalone;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.emaillistener.common.testing.CreatioStandIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of uniquely named mail for one scenario: what was sent to which mailbox, in which order,
 * and, from the Creatio stand-in's accepted emails, what arrived: every message exactly once and in
 * the order it was sent to its mailbox is the promise.
 */
final class MailStream {

    private static final Logger log = LoggerFactory.getLogger(MailStream.class);

    private final String scenario;
    private final CreatioStandIn creatio;
    private final Map<String, List<String>> sentByMailbox = new LinkedHashMap<>();
    private int sequence;

    MailStream(String scenario, CreatioStandIn creatio) {
        this.scenario = scenario;
        this.creatio = creatio;
    }

    /** The subject of the next message to {@code user}, recorded as sent. */
    synchronized String next(String user) {
        String subject = scenario + " #" + (++sequence) + " to " + user;
        sentByMailbox.computeIfAbsent(user, key -> new ArrayList<>()).add(subject);
        return subject;
    }

    void awaitEverything(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(() -> creatio.acceptedSubjects().containsAll(sent()));
    }

    /** The counts, logged as the scenario's line of the report. */
    Report report() {
        Map<String, Long> deliveries = creatio.acceptedSubjects().stream()
                .filter(subject -> subject.startsWith(scenario + " #"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        List<String> sent = sent();
        int lost = (int) sent.stream().filter(subject -> !deliveries.containsKey(subject)).count();
        int duplicated = (int) deliveries.values().stream().filter(count -> count > 1).count();
        int outOfOrder = 0;
        List<String> arrival = creatio.acceptedSubjects();
        for (List<String> mailbox : sentByMailbox.values()) {
            List<String> arrived = arrival.stream().filter(mailbox::contains).distinct().toList();
            for (int i = 1; i < arrived.size(); i++) {
                if (mailbox.indexOf(arrived.get(i)) < mailbox.indexOf(arrived.get(i - 1))) {
                    outOfOrder++;
                }
            }
        }
        Report report = new Report(scenario, sent.size(), deliveries.size(), duplicated, lost, outOfOrder);
        log.info("Fault scenario '{}': sent {}, delivered {}, duplicated {}, lost {}, out of order {}", scenario,
                report.sent(), report.delivered(), report.duplicated(), report.lost(), report.outOfOrder());
        return report;
    }

    private synchronized List<String> sent() {
        return sentByMailbox.values().stream().flatMap(List::stream).toList();
    }

    record Report(String scenario, int sent, int delivered, int duplicated, int lost, int outOfOrder) {
    }
}
