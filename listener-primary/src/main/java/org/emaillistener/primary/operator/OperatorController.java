package org.emaillistener.primary.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.SubscriptionStates;
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

    private final OperatorProperties properties;
    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final HistoryImports imports;
    private final Leases leases;
    private final ParkedMessages parked;
    private final SyncJobOutbox jobs;
    private final GraphConnector graph;

    public OperatorController(OperatorProperties properties, MailboxRegistry registry, SubscriptionStates states,
            HistoryImports imports, Leases leases, ParkedMessages parked, SyncJobOutbox jobs, GraphConnector graph) {
        this.properties = properties;
        this.registry = registry;
        this.states = states;
        this.imports = imports;
        this.leases = leases;
        this.parked = parked;
        this.jobs = jobs;
        this.graph = graph;
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
        return MailboxView.of(mailbox, graph.route(mailbox.credentials()), owner, states.find(id).orElse(null),
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
