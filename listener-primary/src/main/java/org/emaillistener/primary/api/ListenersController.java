package org.emaillistener.primary.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.primary.ownership.MailboxOwnership;
import org.emaillistener.primary.subscription.Subscriptions;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/listeners}: Creatio starts, restarts, updates and stops mailbox subscriptions here,
 * and asks which are alive. Creatio ignores the bodies of the 2xx answers to create, recreate,
 * update and close.
 */
@RestController
@RequestMapping("/api/listeners")
class ListenersController {

    private static final String VERSION = versionOfThisBuild();

    private final MailboxOwnership ownership;
    private final Subscriptions subscriptions;
    private final CredentialsValidation validation;

    public ListenersController(MailboxOwnership ownership, Subscriptions subscriptions,
            CredentialsValidation validation) {
        this.ownership = ownership;
        this.subscriptions = subscriptions;
        this.validation = validation;
    }

    @PostMapping("/create")
    public ResponseEntity<Void> create(@RequestBody List<SynchronizationCredentials> body) {
        return register(body);
    }

    @PostMapping("/recreate")
    public ResponseEntity<Void> recreate(@RequestBody List<SynchronizationCredentials> body) {
        return register(body);
    }

    @PostMapping("/update")
    public ResponseEntity<Void> update(@RequestBody List<SynchronizationCredentials> body) {
        return register(body);
    }

    @PostMapping("/close")
    public ResponseEntity<Void> close(@RequestBody List<String> mailboxIds) {
        validation.mailboxIds(mailboxIds).forEach(ownership::close);
        return ResponseEntity.ok().build();
    }

    /**
     * {@code {"<id>":{"State":"exists"}}} for every mailbox asked about. Only {@code exists} counts as
     * alive to Creatio (the {@code State} key is read case-sensitively); anything else makes it call
     * {@code recreate}. The ids are echoed as Creatio sent them, since it looks its own strings up.
     */
    @PostMapping("/subscriptionsstate")
    public Map<String, Map<String, String>> subscriptionsState(@RequestBody List<String> mailboxIds) {
        var ids = validation.mailboxIds(mailboxIds);
        Map<String, Map<String, String>> states = new LinkedHashMap<>();
        for (int i = 0; i < mailboxIds.size(); i++) {
            states.put(mailboxIds.get(i), Map.of("State", subscriptions.isAlive(ids.get(i)) ? "exists" : "closed"));
        }
        return states;
    }

    /** Read by Creatio's diagnostics page. */
    @GetMapping("/exists")
    public Map<String, String> exists() {
        return Map.of("ServiceStatus", "Started", "Version", VERSION);
    }

    /** Older Creatio versions and Kubernetes probes of the original deployment. */
    @GetMapping("/status")
    public Map<String, String> status() {
        return exists();
    }

    private ResponseEntity<Void> register(List<SynchronizationCredentials> body) {
        validation.subscriptions(body).forEach(ownership::register);
        return ResponseEntity.ok().build();
    }

    private static String versionOfThisBuild() {
        String version = ListenersController.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
