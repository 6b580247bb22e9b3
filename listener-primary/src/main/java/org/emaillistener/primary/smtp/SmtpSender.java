package org.emaillistener.primary.smtp;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.mail.MailServerAccess.Protocol;
import org.emaillistener.common.mail.MailServerDestinations;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.mailbox.InvalidSettingsException;
import org.emaillistener.primary.send.MailSender;
import org.emaillistener.primary.send.OutgoingMessage;
import org.emaillistener.primary.send.UnsendableEmailException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;

/**
 * Sends composed messages from IMAP mailboxes over the SMTP server Creatio names in a send
 * request's credentials: TLS and login as {@link MailServerAccess} decides them (the same reading of
 * SecureOption as for IMAP), password or XOAUTH2, certificates verified unless the host is in
 * {@code listener.imap.ssl-trust}. SMTP leaves no copy in the mailbox; {@link SentCopies} keeps one.
 */
@Component
class SmtpSender implements MailSender {

    private static final Logger log = LoggerFactory.getLogger(SmtpSender.class);

    private final SmtpProperties properties;
    private final List<String> sslTrust;
    private final List<String> plaintextHosts;
    private final MailServerDestinations destinations;
    /** Shared by every connection, so that no connection starts a platform thread of its own. */
    private final ScheduledExecutorService writeTimeouts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-write-timeouts").daemon().factory());

    private final SentCopies sentCopies;

    SmtpSender(SmtpProperties properties, ImapProperties imap, MailServerDestinations destinations,
            SentCopies sentCopies) {
        this.properties = properties;
        this.destinations = destinations;
        this.sentCopies = sentCopies;
        this.sslTrust = imap.sslTrust();
        this.plaintextHosts = imap.plaintextHosts();
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    /** The SMTP server's host, port and {@code SecureOption}, and the token with OAuth. */
    @Override
    public void checkServer(SynchronizationCredentials smtp) {
        String host;
        try {
            host = MailServerAccess.host(smtp.ServiceUrl());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException("ServiceUrl is neither a host name nor a URL");
        }
        if (host.isEmpty()) {
            throw new InvalidSettingsException("ServiceUrl is required (the SMTP server's host)");
        }
        if (smtp.Port() <= 0 || smtp.Port() > 65535) {
            throw new InvalidSettingsException("Port must be between 1 and 65535");
        }
        if (smtp.SecureOption() < MailServerAccess.SECURE_NONE || smtp.SecureOption() > MailServerAccess.SECURE_STARTTLS) {
            throw new InvalidSettingsException("SecureOption must be 0 (None), 1 (Auto), 2 (Ssl) or 3 (StartTls)");
        }
        if (smtp.UseOAuth() && (smtp.AccessToken() == null || smtp.AccessToken().isBlank())) {
            throw new InvalidSettingsException("AccessToken is required with UseOAuth");
        }
    }

    /**
     * @throws UnsendableEmailException when the server could not be reached or refused the login or
     *         the message; its message says why in words the user can act on, without secrets
     */
    @Override
    public void send(OutgoingMessage message, SynchronizationCredentials smtp) throws UnsendableEmailException {
        MailServerAccess server = MailServerAccess.of(Protocol.SMTP, smtp, sslTrust, plaintextHosts);
        boolean login = smtp.secret() != null && !smtp.secret().isEmpty();
        Session session = Session.getInstance(sessionProperties(server, login));
        Transport transport;
        try {
            transport = session.getTransport(server.scheme());
        } catch (MessagingException e) {
            throw new IllegalStateException("Angus Mail has no " + server.scheme() + " transport", e);
        }
        try {
            refuseUnlessAllowed(server.host());
            transport.connect(server.host(), server.port(), login ? server.loginName() : null,
                    login ? smtp.secret() : null);
            transport.sendMessage(message.mime(), message.envelope());
        } catch (MessagingException e) {
            String reason = reason(e, server, smtp.secret());
            log.warn("Mailbox {}: sending through {}:{} failed: {}", smtp.Id(), server.host(), server.port(), reason);
            throw new UnsendableEmailException(reason, e);
        } finally {
            closeQuietly(transport);
        }
        log.info("Mailbox {}: sent {} through {}:{} to {} recipient(s)", smtp.Id(), messageId(message), server.host(),
                server.port(), message.recipients().size());
        sentCopies.keep(message, smtp);
    }

    private void refuseUnlessAllowed(String host) throws MessagingException {
        try {
            destinations.check(host);
        } catch (ConnectException e) {
            throw new MessagingException(e.getMessage(), e);
        }
    }

    private Properties sessionProperties(MailServerAccess server, boolean login) {
        Properties props = server.sessionProperties();
        String p = server.propertyPrefix();
        props.put(p + "connectiontimeout", String.valueOf(properties.connectTimeout().toMillis()));
        props.put(p + "timeout", String.valueOf(properties.readTimeout().toMillis()));
        props.put(p + "writetimeout", String.valueOf(properties.readTimeout().toMillis()));
        props.put(p + "executor.writetimeout", writeTimeouts);
        props.put(p + "auth", String.valueOf(login));
        return props;
    }

    /** What the user reads in Creatio when the email was not sent: what failed, where, and what to check. */
    static String reason(MessagingException failure, MailServerAccess server, String secret) {
        String smtp = "the SMTP server " + server.host() + ":" + server.port();
        String detail = detail(failure);
        String reason;
        if (failure instanceof SendFailedException refused && refused.getInvalidAddresses() != null
                && refused.getInvalidAddresses().length > 0) {
            reason = "The email was not sent: " + smtp + " refused the recipient(s) "
                    + join(refused.getInvalidAddresses()) + " (" + detail + "). Check the addresses.";
        } else if (MailboxFailure.of(failure).message().equals(MailboxFailure.NO_STARTTLS)) {
            reason = "The email was not sent: " + smtp + " offers no STARTTLS, so the login was not sent in clear "
                    + "text. Choose SSL or STARTTLS for the outgoing server, or the listener's administrator allows "
                    + "the host plaintext (listener.imap.plaintext-hosts).";
        } else {
            reason = switch (MailboxFailure.of(failure).kind()) {
                case AUTHENTICATION -> "The email was not sent: " + smtp + " refused the login of "
                        + server.loginName() + " (" + detail + "). Check the user name and password of the "
                        + "mailbox's outgoing server" + (server.xoauth2() ? ", or sign in to the account again" : "")
                        + ".";
                case TLS -> "The email was not sent: the secure connection to " + smtp + " failed (" + detail
                        + "). Check the port and the SSL/STARTTLS setting of the outgoing server, or its certificate.";
                case UNREACHABLE -> "The email was not sent: " + smtp + " cannot be reached (" + detail
                        + "). Check the outgoing server's address and port.";
                case TIMEOUT -> "The email was not sent: " + smtp + " did not answer in time (" + detail
                        + "). Try again later, or check the outgoing server's address and port.";
                default -> "The email was not sent: " + smtp + " refused it (" + detail + ").";
            };
        }
        // Servers do not echo passwords, but a reason must never carry one even if one did.
        return MailboxFailure.withoutSecret(reason, secret);
    }

    /** The innermost message of the failure: the server's reply or the network's own words. */
    private static String detail(Throwable failure) {
        String detail = "no reason given";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                // Its message is the bare host name, which alone explains nothing.
                return "unknown host";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                detail = t.getMessage();
            }
        }
        return MailboxFailure.oneShortLine(detail);
    }

    private static String join(Address[] addresses) {
        return Arrays.stream(addresses).map(Address::toString).collect(Collectors.joining(", "));
    }

    private static String messageId(OutgoingMessage message) {
        try {
            return message.mime().getMessageID();
        } catch (MessagingException e) {
            return "a message";
        }
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // After the server took the message a failing QUIT changes nothing; before, the failure is reported.
        }
    }

    @PreDestroy
    void stop() {
        writeTimeouts.shutdownNow();
    }
}
