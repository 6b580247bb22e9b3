package org.emaillistener.primary.api;

import java.util.List;
import java.util.Map;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.MailboxValidation;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.primary.mailbox.MailboxProbe;
import org.emaillistener.primary.mailbox.MailboxUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/mailbox}: Creatio checks a mailbox's settings and lists its folders while a user sets
 * the mailbox up. Both take one SynchronizationCredentials (not an array, unlike create) and really
 * log in to the server, for at most {@code listener.api.mailbox-timeout}.
 */
@RestController
@RequestMapping("/api/mailbox")
class MailboxController {

    private static final Logger log = LoggerFactory.getLogger(MailboxController.class);

    private final MailboxProbe probe;
    private final CredentialsValidation validation;
    private final ApiProperties properties;

    public MailboxController(MailboxProbe probe, CredentialsValidation validation, ApiProperties properties) {
        this.probe = probe;
        this.validation = validation;
        this.properties = properties;
    }

    /**
     * HTTP 200 whether or not the mailbox can be used: the answer is the validation result, and
     * Creatio shows its {@code Message} to the user. Only input that names no usable server is a 400.
     */
    @PostMapping("/validate")
    public MailboxValidation validate(@RequestBody SynchronizationCredentials body) {
        SynchronizationCredentials mailbox = validation.mailbox(body);
        try {
            probe.logIn(mailbox, properties.mailboxTimeout());
            return MailboxValidation.valid();
        } catch (MailboxUnavailableException e) {
            log.info("Mailbox {} is not valid: {}", mailbox.Id(), e.getMessage());
            return MailboxValidation.invalid(e.getMessage(), e.kind().name());
        }
    }

    /**
     * The mailbox's folders for Creatio's folder picker, of the class it asks for. An IMAP server
     * holds only mail, so a calendar or task folder class ({@code IPF.Appointment}, {@code IPF.Task},
     * any class other than mail's {@code IPF.Note}) has no IMAP folders: {@code []} without asking the
     * server. Exchange lists the folders of that class.
     */
    @PostMapping("/folders")
    public List<MailboxFolder> folders(@RequestBody SynchronizationCredentials body)
            throws MailboxUnavailableException {
        SynchronizationCredentials mailbox = validation.mailbox(body);
        try {
            return probe.folders(mailbox, mailbox.FolderClassName(), properties.mailboxTimeout());
        } catch (MailboxUnavailableException e) {
            log.info("Mailbox {}: folders could not be listed: {}", mailbox.Id(), e.getMessage());
            throw e;
        }
    }

    /**
     * Folders has no result shape for a failure, so it is an HTTP error whose JSON message Creatio can
     * show: 422 for credentials the server refused (not 401, which would claim that this API wants
     * authentication), 504 for a server that did not answer in time, 502 for one that could not be
     * reached or spoke no usable IMAP or TLS.
     */
    @ExceptionHandler(MailboxUnavailableException.class)
    ResponseEntity<Map<String, String>> unavailable(MailboxUnavailableException e) {
        HttpStatus status = switch (e.kind()) {
            case AUTHENTICATION -> HttpStatus.UNPROCESSABLE_CONTENT;
            case TIMEOUT -> HttpStatus.GATEWAY_TIMEOUT;
            case UNREACHABLE, TLS, PROTOCOL -> HttpStatus.BAD_GATEWAY;
        };
        return ApiErrors.answer(status, e.getMessage());
    }
}
