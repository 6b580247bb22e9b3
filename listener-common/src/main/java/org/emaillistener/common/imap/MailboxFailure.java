package org.emaillistener.common.imap;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;

import javax.net.ssl.SSLException;

import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.state.FailureKind;

import jakarta.mail.AuthenticationFailedException;

/** What kind of failure an exception from a mailbox connection is, and a message a person can act on. */
public record MailboxFailure(FailureKind kind, String message) {

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

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
