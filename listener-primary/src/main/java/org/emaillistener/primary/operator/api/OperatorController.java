package org.emaillistener.primary.operator.api;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.primary.operator.ConsoleState;
import org.emaillistener.primary.operator.MailboxCatalogue;
import org.emaillistener.primary.operator.MailboxPage;
import org.emaillistener.primary.operator.MailboxQuery;
import org.emaillistener.primary.operator.MailboxView;
import org.emaillistener.primary.operator.OperatorActions;
import org.emaillistener.primary.operator.Overview;
import org.emaillistener.primary.ownership.MailboxOwnership;
import org.emaillistener.primary.ownership.OwnershipProperties;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code /operator/…} on the management port: the console's page and assets, its JSON API, and the
 * actions, each answered at once (what they queue happens after).
 */
@RestController
class OperatorController {

    private static final Map<String, MediaType> ASSETS = Map.of("console.js",
            MediaType.parseMediaType("text/javascript;charset=UTF-8"), "console.css",
            MediaType.parseMediaType("text/css;charset=UTF-8"));

    private final MailboxCatalogue catalogue;
    private final OperatorActions actions;
    private final MailboxRegistry registry;
    private final ParkedMessages parked;
    private final SyncJobs syncJobs;
    private final MailboxOwnership ownership;
    private final OwnershipProperties ownershipProperties;
    private final CreatioClient creatio;

    OperatorController(MailboxCatalogue catalogue, OperatorActions actions, MailboxRegistry registry,
            ParkedMessages parked, SyncJobs syncJobs, MailboxOwnership ownership,
            OwnershipProperties ownershipProperties, CreatioClient creatio) {
        this.catalogue = catalogue;
        this.actions = actions;
        this.registry = registry;
        this.parked = parked;
        this.syncJobs = syncJobs;
        this.ownership = ownership;
        this.ownershipProperties = ownershipProperties;
        this.creatio = creatio;
    }

    @GetMapping({ "/operator", "/operator/" })
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/html;charset=UTF-8"))
                .body(new ClassPathResource("operator-console/index.html"));
    }

    @GetMapping("/operator/assets/{name}")
    ResponseEntity<Resource> asset(@PathVariable String name) {
        MediaType type = ASSETS.get(name);
        if (type == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such asset");
        }
        return ResponseEntity.ok().contentType(type).body(new ClassPathResource("operator-console/" + name));
    }

    @GetMapping("/operator/overview")
    Overview overview() {
        return Overview.of(catalogue.snapshot(), ownership.replica(), ownershipProperties.capacity(),
                new Overview.Queue(syncJobs.depth(), syncJobs.deadLetterDepth()), creatio.circuits(),
                actions.recent());
    }

    /**
     * One page of the mailboxes: {@code state}, {@code protocol}, {@code replica}, {@code errorKind},
     * {@code creatioHost}, {@code quietHours} (delivered nothing for that long) and {@code q} (part of the
     * address or id) filter; {@code sort} and {@code order} order; {@code page} and {@code size} page.
     */
    @GetMapping("/operator/mailboxes")
    MailboxPage mailboxes(@RequestParam(required = false) String state,
            @RequestParam(required = false) String protocol, @RequestParam(required = false) String replica,
            @RequestParam(required = false) String errorKind, @RequestParam(required = false) String creatioHost,
            @RequestParam(required = false) Double quietHours, @RequestParam(required = false) String q,
            @RequestParam(defaultValue = "address") String sort, @RequestParam(defaultValue = "asc") String order,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        MailboxQuery query;
        try {
            if (!order.equals("asc") && !order.equals("desc")) {
                throw new IllegalArgumentException("order must be asc or desc");
            }
            if (quietHours != null && (quietHours.isNaN() || quietHours < 0 || quietHours > 24 * 366)) {
                throw new IllegalArgumentException("quietHours must be between 0 and " + 24 * 366);
            }
            query = new MailboxQuery(named(ConsoleState.class, "state", state), named(MailProtocol.class, "protocol", protocol),
                    replica, named(FailureKind.class, "errorKind", errorKind), creatioHost,
                    quietHours == null ? null : Duration.ofSeconds(Math.round(quietHours * 3600)), q,
                    named(MailboxQuery.Sort.class, "sort", sort), order.equals("desc"), page, size);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return catalogue.snapshot().page(query);
    }

    @GetMapping("/operator/mailboxes/{id}")
    MailboxView mailbox(@PathVariable UUID id) {
        return catalogue.details(id).orElseThrow(() -> notServed(id));
    }

    @PostMapping("/operator/mailboxes/{id}/resync")
    OperatorActions.Action resync(@PathVariable UUID id, HttpServletRequest request) {
        served(id);
        return actions.resync(operator(request), id);
    }

    @PostMapping("/operator/mailboxes/{id}/release")
    OperatorActions.Action release(@PathVariable UUID id, HttpServletRequest request) {
        served(id);
        return actions.release(operator(request), id);
    }

    /** Delivers a parked message again. It stays parked until Creatio accepts it. */
    @PostMapping("/operator/mailboxes/{id}/parked/{uid}/redeliver")
    ResponseEntity<OperatorActions.Action> redeliver(@PathVariable UUID id, @PathVariable long uid,
            @RequestParam String folder, HttpServletRequest request) {
        var message = parked.find(id, folder, uid).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no parked message with UID " + uid + " in folder " + folder + " of mailbox " + id));
        return ResponseEntity.accepted().body(actions.redeliver(operator(request), message));
    }

    /** Queues every parked message of the mailbox again; each stays parked until Creatio accepts it. */
    @PostMapping("/operator/mailboxes/{id}/parked/redeliver")
    OperatorActions.Action redeliverAll(@PathVariable UUID id, HttpServletRequest request) {
        return actions.redeliverAll(operator(request), id);
    }

    @PostMapping("/operator/mailboxes/{id}/history/end")
    OperatorActions.Action endHistoryImport(@PathVariable UUID id, @RequestParam String filter,
            HttpServletRequest request) {
        OperatorActions.Action ended = actions.endHistoryImport(operator(request), id, filter);
        if (ended == null) {
            throw new ResponseStatusException(HttpStatus.CONFLICT,
                    "mailbox " + id + " runs no history import of " + filter);
        }
        return ended;
    }

    /** How many sync jobs were given up after the delivery limit (the dead-letter queue). */
    @GetMapping("/operator/dead-letters")
    Map<String, Long> deadLetters() {
        return Map.of("depth", syncJobs.deadLetterDepth());
    }

    /**
     * Queues up to {@code max} dead-lettered sync jobs again, oldest first, as new jobs: for after the
     * cause (a mail server down, Creatio refusing) was fixed.
     */
    @PostMapping("/operator/dead-letters/replay")
    OperatorActions.Action replayDeadLetters(@RequestParam(defaultValue = "1000") int max,
            HttpServletRequest request) {
        if (max < 1 || max > 100_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "max must be between 1 and 100000");
        }
        return actions.replayDeadLetters(operator(request), max);
    }

    @GetMapping("/operator/actions")
    List<OperatorActions.Action> recentActions() {
        return actions.recent();
    }

    private void served(UUID id) {
        if (registry.find(id).isEmpty()) {
            throw notServed(id);
        }
    }

    private static ResponseStatusException notServed(UUID id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "mailbox " + id + " is not served");
    }

    private static OperatorActions.Operator operator(HttpServletRequest request) {
        return (OperatorActions.Operator) request.getAttribute(OperatorAccess.OPERATOR);
    }

    private static <E extends Enum<E>> E named(Class<E> type, String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(parameter + " must be one of "
                    + java.util.Arrays.stream(type.getEnumConstants())
                            .map(constant -> constant.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        }
    }
}
