package org.emaillistener.primary.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/email/synchronize}: Creatio asks for older mail of a mailbox. A registered mailbox is
 * imported with its registered settings; one that is not (Creatio does not wait for create to
 * finish) with the request's complete credentials, checked as create checks them, held only for the
 * import ({@link OneOffMailboxes}) and never subscribed. The answer comes at once; the import is
 * queued work (a history sync job), so it survives the restart of whichever process runs it, and an
 * identical request while it runs starts nothing new. The emails reach Creatio through the normal
 * ProcessFullEmail callback.
 */
@RestController
class EmailSynchronizeController {

    private static final Logger log = LoggerFactory.getLogger(EmailSynchronizeController.class);

    private final MailboxRegistry registry;
    private final HistoryImports imports;
    private final SyncJobOutbox jobs;
    private final OneOffMailboxes oneOffs;
    private final CredentialsValidation validation;

    public EmailSynchronizeController(MailboxRegistry registry, HistoryImports imports, SyncJobOutbox jobs,
            OneOffMailboxes oneOffs, CredentialsValidation validation) {
        this.registry = registry;
        this.imports = imports;
        this.jobs = jobs;
        this.oneOffs = oneOffs;
        this.validation = validation;
    }

    /**
     * The request, in ordinary quoted JSON.
     *
     * @param Credentials the mailbox: for a registered one only its {@code Id} is used (the registered
     *        settings are); for another, all of it
     * @param Filters for IMAP an IMAP SEARCH expression built by Creatio, e.g.
     *        {@code UNDRAFT UNDELETED SENTSINCE 01-Nov-2023}; for Exchange the UTC load-from date in
     *        .NET ticks
     */
    public record SynchronizationRequest(SynchronizationCredentials Credentials, String Filters) {
    }

    @PostMapping("/api/email/synchronize")
    public ResponseEntity<Void> synchronize(@RequestBody SynchronizationRequest request) {
        if (request == null || request.Credentials() == null || request.Credentials().Id() == null) {
            throw new BadRequestException("Credentials with the mailbox Id are required");
        }
        UUID mailboxId = request.Credentials().Id();
        Optional<RegisteredMailbox> registered = registry.find(mailboxId);
        SynchronizationCredentials credentials = registered.map(RegisteredMailbox::credentials)
                .orElseGet(() -> validation.subscriptions(List.of(request.Credentials())).getFirst());
        String filter = validation.historyFilter(credentials, request.Filters());
        if (imports.start(mailboxId, filter)) {
            if (registered.isEmpty()) {
                // Creatio may ask before (or without) create: the import runs with the request's
                // credentials, held for it alone; nothing is subscribed. Nothing delivers this
                // mailbox's new mail either, so the import takes all mail received up to the end of
                // this second (received dates have whole seconds).
                Instant upTo = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
                oneOffs.hold(new RegisteredMailbox(credentials, upTo), OneOffMailboxes.HOLD);
            }
            jobs.publish(SyncJob.history(mailboxId, "", filter));
            log.info("History import of {}mailbox {} requested: {}", registered.isEmpty() ? "unregistered " : "",
                    mailboxId, filter);
        } else {
            log.info("History import of mailbox {} ({}) is already running", mailboxId, filter);
        }
        return ResponseEntity.ok().build();
    }
}
