package org.emaillistener.primary.graph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphSignInException;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.ews.ExchangeSettings;
import org.emaillistener.primary.send.MailSender;
import org.emaillistener.primary.send.OutgoingMessage;
import org.emaillistener.primary.send.UnsendableEmailException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

/**
 * Sends composed messages through an Exchange Online mailbox that Microsoft Graph serves: its
 * {@code sendMail} with the MIME content (Base64, {@code text/plain}), which saves the copy in Sent
 * Items itself.
 */
@Component
class GraphSender implements MailSender {

    private static final Logger log = LoggerFactory.getLogger(GraphSender.class);

    private final GraphConnector connector;

    GraphSender(GraphConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    @Override
    public void checkServer(SynchronizationCredentials server) {
        ExchangeSettings.checkOutgoingServer(server);
    }

    @Override
    public void send(OutgoingMessage message, SynchronizationCredentials mailbox) throws UnsendableEmailException {
        byte[] mime;
        try {
            mime = withBlindCopies(message);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("A composed message could not be written", e);
        }
        try {
            connector.connectAsItsUser(mailbox).sendMime(mime);
        } catch (GraphSignInException e) {
            log.warn("Mailbox {}: refused to send through Microsoft Graph: {}", mailbox.Id(), e.getMessage());
            throw new UnsendableEmailException("The email was not sent: " + e.getMessage() + ".", e);
        } catch (GraphException e) {
            String reason = reason(GraphFailures.of(e), mailbox);
            log.warn("Mailbox {}: sending through Microsoft Graph failed: {}", mailbox.Id(), reason);
            throw new UnsendableEmailException(reason, e);
        }
        log.info("Mailbox {}: sent a message through Microsoft Graph to {} recipient(s)", mailbox.Id(),
                message.recipients().size());
    }

    /**
     * The composed MIME with a Bcc header naming the blind copies. Graph's MIME send takes every
     * recipient from the MIME content (there is no envelope beside it, as SMTP and EWS have), so for
     * this message alone the Bcc recipients are written into it; Exchange delivers to them and takes
     * the header out of what the other recipients get.
     */
    static byte[] withBlindCopies(OutgoingMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<InternetAddress> blindCopies = message.blindCopies();
        if (!blindCopies.isEmpty()) {
            String header = "Bcc: " + InternetAddress.toString(blindCopies.toArray(InternetAddress[]::new), 5);
            out.write((header + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        message.mime().writeTo(out);
        return out.toByteArray();
    }

    private static String reason(MailboxFailure failure, SynchronizationCredentials mailbox) {
        String graph = "Microsoft Graph";
        String reason = switch (failure.kind()) {
            case AUTHENTICATION -> "The email was not sent: " + graph + " refused to send from the mailbox ("
                    + failure.message()
                    + "). Check the tenant's app registration and its Mail.Send permission.";
            case TLS -> "The email was not sent: the secure connection to " + graph + " failed ("
                    + failure.message() + ").";
            case UNREACHABLE -> "The email was not sent: " + graph + " cannot be reached (" + failure.message()
                    + ").";
            case TIMEOUT -> "The email was not sent: " + graph + " did not answer in time. Try again later.";
            case PROTOCOL -> "The email was not sent: " + graph + " refused it (" + failure.message() + ").";
        };
        String secret = mailbox.secret();
        return secret == null || secret.length() < 4 ? reason : reason.replace(secret, "********");
    }
}
