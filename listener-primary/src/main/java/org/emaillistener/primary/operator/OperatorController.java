package org.emaillistener.primary.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
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

    public OperatorController(OperatorProperties properties, MailboxRegistry registry, SubscriptionStates states,
            HistoryImports imports, Leases leases) {
        this.properties = properties;
        this.registry = registry;
        this.states = states;
        this.imports = imports;
        this.leases = leases;
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
        return MailboxView.of(mailbox, owner, states.find(id).orElse(null),
                states.findDeliveryProblem(id).orElse(null), imports.of(id));
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
