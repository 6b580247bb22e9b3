package org.emaillistener.common.state;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import org.emaillistener.common.exchange.ExchangeException;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

/** What kind of failure an exception from a mailbox connection is, and a message a person can act on. */
public record MailboxFailure(FailureKind kind, String message) {

    /**
     * Angus Mail's words when {@code starttls.required} meets a server that offers none: IMAP's
     * "STARTTLS required but not supported by server", SMTP's "STARTTLS is required but host does not
     * support STARTTLS".
     */
    private static final Pattern STARTTLS_REQUIRED = Pattern.compile("^STARTTLS (is )?required");
    public static final String NO_STARTTLS = "The mail server offers no STARTTLS on this port, so the login was "
            + "not sent in clear text: choose SSL or STARTTLS, or the listener's administrator allows the host "
            + "plaintext (listener.imap.plaintext-hosts)";

    public static MailboxFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExchangeException exchange && exchange.authenticationFailed()) {
                return new MailboxFailure(FailureKind.AUTHENTICATION,
                        "The Exchange server rejected the login: " + describe(t));
            }
            if (t instanceof AuthenticationFailedException) {
                return new MailboxFailure(FailureKind.AUTHENTICATION,
                        "The mail server rejected the login: " + describe(t));
            }
            if (t instanceof MessagingException && t.getMessage() != null
                    && STARTTLS_REQUIRED.matcher(t.getMessage()).find()) {
                return new MailboxFailure(FailureKind.TLS, NO_STARTTLS);
            }
            if (t instanceof SSLException || t instanceof CertificateException) {
                return new MailboxFailure(FailureKind.TLS,
                        "The TLS connection to the mail server failed (certificate or protocol): " + describe(t));
            }
            if (t instanceof UnknownHostException) {
                return new MailboxFailure(FailureKind.UNREACHABLE, "Unknown mail server host: " + describe(t));
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new MailboxFailure(FailureKind.UNREACHABLE, "The mail server cannot be reached: " + describe(t));
            }
            if (t instanceof SocketTimeoutException) {
                return new MailboxFailure(FailureKind.TIMEOUT, "The mail server did not answer in time: " + describe(t));
            }
        }
        return new MailboxFailure(FailureKind.PROTOCOL, "The mail server connection failed: " + describe(failure));
    }

    /**
     * The same failure with the mailbox's secret taken out of its message: a server may echo what it
     * was sent (a refused {@code LOGIN} line), and the message reaches the log, Creatio and the
     * operator view.
     */
    public MailboxFailure withoutSecret(String secret) {
        return new MailboxFailure(kind, withoutSecret(message, secret));
    }

    /**
     * The text with the secret, and its Base64 form (what SASL sends), replaced by asterisks; a
     * secret shorter than 4 characters is left, since replacing it would mangle ordinary words.
     */
    public static String withoutSecret(String text, String secret) {
        if (text == null || secret == null || secret.length() < 4) {
            return text;
        }
        return text.replace(secret, HIDDEN)
                .replace(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)), HIDDEN);
    }

    /**
     * A stand-in for the failure to log with its stack trace: each message of the chain without the
     * secret, each exception named by its class.
     */
    public static Throwable withoutSecret(Throwable failure, String secret) {
        if (failure == null) {
            return null;
        }
        String message = failure.getClass().getName()
                + (failure.getMessage() == null ? "" : ": " + withoutSecret(failure.getMessage(), secret));
        Throwable scrubbed = new Throwable(message, failure.getCause() == failure ? null
                : withoutSecret(failure.getCause(), secret), false, true) {
            @Override
            public String toString() {
                return getMessage();
            }
        };
        scrubbed.setStackTrace(failure.getStackTrace());
        return scrubbed;
    }

    /** Whether a message of the failure's chain carries the secret. */
    public static boolean mentions(Throwable failure, String secret) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.equals(withoutSecret(message, secret))) {
                return true;
            }
        }
        return false;
    }

    private static final String HIDDEN = "********";

    /** The most of a server's own words a reason carries: enough to act on, too little to be a channel. */
    static final int MAX_SERVER_TEXT = 120;

    /**
     * The failure's message, as one short line: a mail server's text (its greeting, its refusal) is
     * the caller's to read only as a reason, so control characters (CR, LF, NUL: forged log lines) go
     * and the text is cut.
     */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? "no reason given" : oneShortLine(message);
    }

    /** A server's text fit for a reason: control characters replaced, cut at {@link #MAX_SERVER_TEXT}. */
    public static String oneShortLine(String text) {
        String line = text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\s]+", " ").strip();
        return line.length() <= MAX_SERVER_TEXT ? line : line.substring(0, MAX_SERVER_TEXT) + "…";
    }
}
