package org.emaillistener.primary.mailbox;

import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.state.FailureKind;

/**
 * The mailbox could not be reached or logged in to. The message is shown to a Creatio user as it is
 * (validate's {@code Message}), so after what went wrong it says what to check.
 */
public class MailboxUnavailableException extends Exception {

    private final FailureKind kind;

    public MailboxUnavailableException(MailboxFailure failure) {
        super(sentence(failure.message()) + " " + advice(failure.kind()));
        this.kind = failure.kind();
    }

    public FailureKind kind() {
        return kind;
    }

    /** The server's own words end the first sentence, and may come without a full stop. */
    private static String sentence(String message) {
        String trimmed = message.strip();
        return trimmed.endsWith(".") || trimmed.endsWith("!") || trimmed.endsWith("?") ? trimmed : trimmed + ".";
    }

    private static String advice(FailureKind kind) {
        return switch (kind) {
            case AUTHENTICATION -> "Check the user name and the password (with OAuth, sign in to the mailbox again).";
            case UNREACHABLE -> "Check the server address and the port, and that the listener's network can reach"
                    + " the mail server.";
            case TLS -> "Check the encryption setting (SSL or STARTTLS) for this port; a certificate the listener"
                    + " cannot verify must be trusted by the listener's administrator (listener.imap.ssl-trust).";
            // A server that expects SSL from the first byte never greets a plain connection: it waits too.
            case TIMEOUT -> "Check the server address, the port and the encryption setting (SSL or STARTTLS).";
            case PROTOCOL -> "Check that the server address and port are those of an IMAP server.";
        };
    }
}
