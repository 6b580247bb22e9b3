package org.emaillistener.common.creatio;

/**
 * The answer to {@code /api/mailbox/validate}. Creatio shows {@code Message} to the user whose
 * mailbox settings failed; {@code Data} is {@code ""} when the mailbox is valid, else a short
 * machine-friendly name of the kind of failure ({@code AUTHENTICATION}, {@code UNREACHABLE},
 * {@code TLS}, {@code TIMEOUT}, {@code PROTOCOL}). What the original listener put into
 * {@code Data} is unknown; Creatio decides on {@code IsValid}.
 */
public record MailboxValidation(boolean IsValid, String Message, String Data) {

    public static MailboxValidation valid() {
        return new MailboxValidation(true, "", "");
    }

    public static MailboxValidation invalid(String message, String kind) {
        return new MailboxValidation(false, message, kind);
    }
}
