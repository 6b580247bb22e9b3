package org.emaillistener.primary.ews;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.send.MailSender;
import org.emaillistener.primary.send.OutgoingMessage;
import org.emaillistener.primary.send.UnsendableEmailException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

/**
 * Sends composed messages through an Exchange mailbox: {@code CreateItem} with the MIME content and
 * {@code SendAndSaveCopy}, so Exchange files the copy in Sent Items itself. The Bcc recipients, which
 * the MIME content leaves out, go with the item.
 */
@Component
class ExchangeSender implements MailSender {

    private static final Logger log = LoggerFactory.getLogger(ExchangeSender.class);

    private final ExchangeConnector connector;

    ExchangeSender(ExchangeConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    @Override
    public void checkServer(SynchronizationCredentials server) {
        ExchangeSettings.checkOutgoingServer(server);
    }

    @Override
    public void send(OutgoingMessage message, SynchronizationCredentials mailbox) throws UnsendableEmailException {
        byte[] mime;
        List<String> blindCopies;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.mime().writeTo(out);
            mime = out.toByteArray();
            blindCopies = message.blindCopies().stream().map(InternetAddress::getAddress).toList();
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("A composed message could not be written", e);
        }
        try (ExchangeMailbox exchange = connector.connect(mailbox)) {
            exchange.send(mime, blindCopies);
        } catch (ExchangeException e) {
            String reason = reason(e, mailbox);
            log.warn("Mailbox {}: sending through Exchange failed: {}", mailbox.Id(), reason);
            throw new UnsendableEmailException(reason, e);
        }
        log.info("Mailbox {}: sent a message through Exchange to {} recipient(s)", mailbox.Id(),
                message.recipients().size());
    }

    private static String reason(ExchangeException failure, SynchronizationCredentials mailbox) {
        String server = "the Exchange server " + mailbox.ServiceUrl();
        String reason = switch (MailboxFailure.of(failure).kind()) {
            case AUTHENTICATION -> "The email was not sent: " + server + " refused the login of "
                    + (mailbox.UseOAuth() ? "the account's token" : mailbox.UserName())
                    + ". Check the mailbox's user name and password"
                    + (mailbox.UseOAuth() ? ", or sign in to the account again" : "") + ".";
            case TLS -> "The email was not sent: the secure connection to " + server + " failed ("
                    + failure.getMessage() + "). Check its certificate.";
            case UNREACHABLE -> "The email was not sent: " + server + " cannot be reached (" + failure.getMessage()
                    + "). Check the mailbox's server address.";
            case TIMEOUT -> "The email was not sent: " + server + " did not answer in time. Try again later.";
            case PROTOCOL -> "The email was not sent: " + server + " refused it (" + failure.getMessage() + ").";
        };
        return MailboxFailure.withoutSecret(reason, mailbox.secret());
    }
}
