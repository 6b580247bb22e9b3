package org.emaillistener.primary.operator.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.primary.operator.MailboxView;
import org.emaillistener.primary.operator.OperatorProperties;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code /operator/mailboxes}: the served mailboxes as operators need to see them. */
@RestController
public class OperatorController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OperatorController.class);

    private final OperatorProperties properties;
    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final HistoryImports imports;
    private final Leases leases;
    private final ParkedMessages parked;
    private final SyncJobOutbox jobs;
    private final MailRoutes routes;
    private final SyncJobs syncJobs;

    public OperatorController(OperatorProperties properties, MailboxRegistry registry, SubscriptionStates states,
            HistoryImports imports, Leases leases, ParkedMessages parked, SyncJobOutbox jobs, MailRoutes routes,
            SyncJobs syncJobs) {
        this.syncJobs = syncJobs;
        this.properties = properties;
        this.registry = registry;
        this.states = states;
        this.imports = imports;
        this.leases = leases;
        this.parked = parked;
        this.jobs = jobs;
        this.routes = routes;
    }

    /**
     * Delivers a parked message again (queued: the answer comes at once). It stays parked until
     * Creatio accepts it.
     */
    @PostMapping("/operator/mailboxes/{id}/parked/{uid}/redeliver")
    public ResponseEntity<Void> redeliver(@PathVariable UUID id, @PathVariable long uid, @RequestParam String folder,
            @RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        parked.find(id, folder, uid).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no parked message with UID " + uid + " in folder " + folder + " of mailbox " + id));
        jobs.publish(SyncJob.redeliver(id, folder, uid));
        return ResponseEntity.accepted().build();
    }

    /**
     * Queues every parked message of the mailbox again (the answer comes at once); each stays parked
     * until Creatio accepts it.
     */
    @PostMapping("/operator/mailboxes/{id}/parked/redeliver")
    public Map<String, Integer> redeliverAll(@PathVariable UUID id,
            @RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        var all = parked.of(id);
        all.forEach(message -> jobs.publish(SyncJob.redeliver(id, message.folder(), message.uid())));
        log.info("Operator asked to deliver the {} parked message(s) of mailbox {} again", all.size(), id);
        return Map.of("queued", all.size());
    }

    /** How many sync jobs were given up after the delivery limit (the dead-letter queue). */
    @GetMapping("/operator/dead-letters")
    public Map<String, Long> deadLetters(@RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        return Map.of("depth", syncJobs.deadLetterDepth());
    }

    /**
     * Queues up to {@code max} dead-lettered sync jobs again, oldest first, as new jobs: for after the
     * cause (a mail server down, Creatio refusing) was fixed.
     */
    @PostMapping("/operator/dead-letters/replay")
    public Map<String, Integer> replayDeadLetters(@RequestParam(defaultValue = "1000") int max,
            @RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        if (max < 1 || max > 100_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "max must be between 1 and 100000");
        }
        int replayed = syncJobs.replayDeadLetters(max);
        log.info("Operator replayed {} dead-lettered sync job(s)", replayed);
        return Map.of("replayed", replayed);
    }

    /** Every served mailbox, ordered by id. */
    @GetMapping("/operator/mailboxes")
    public List<MailboxView> mailboxes(@RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        List<UUID> ids = registry.ids().stream().sorted().toList();
        Map<UUID, String> owners = leases.holders(ids);
        return ids.stream().map(id -> registry.find(id).map(mailbox -> view(mailbox, owners.get(id))))
                .flatMap(Optional::stream).toList();
    }

    @GetMapping("/operator/mailboxes/{id}")
    public MailboxView mailbox(@PathVariable UUID id, @RequestHeader(name = "X-Api-Key", required = false) String key) {
        authorize(key);
        var mailbox = registry.find(id).orElseThrow(
                () -> new ResponseStatusException(HttpStatus.NOT_FOUND, "mailbox " + id + " is not served"));
        return view(mailbox, leases.holders(List.of(id)).get(id));
    }

    private MailboxView view(RegisteredMailbox mailbox, String owner) {
        UUID id = mailbox.id();
        return MailboxView.of(mailbox, routes.of(mailbox.credentials()).description(), owner, states.find(id).orElse(null),
                states.findDeliveryProblem(id).orElse(null), parked.of(id), imports.of(id));
    }

    private void authorize(String key) {
        if (!properties.enabled()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "the operator API is off: set listener.operator.api-key");
        }
        if (key == null || !MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                properties.apiKey().getBytes(StandardCharsets.UTF_8))) {
            throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "X-Api-Key is missing or wrong");
        }
    }
}
