package org.emaillistener.secondary.mime;

import java.io.IOException;
import java.io.InputStream;

import jakarta.activation.DataSource;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.SharedInputStream;

/**
 * jakarta.mail's message, multipart and body part, parsed exactly as jakarta.mail parses them but
 * with their header blocks read by {@link PartHeaders}, without a class-path scan per part.
 */
final class SpooledParts {

    private SpooledParts() {
    }

    static final class Message extends MimeMessage {

        Message(Session session, InputStream raw) throws MessagingException {
            super(session, raw);
        }

        @Override
        protected InternetHeaders createInternetHeaders(InputStream in) throws MessagingException {
            // MimeMessage reads its own header block with the session's mail.mime.allowutf8.
            return PartHeaders.read(in, Boolean.parseBoolean(session.getProperty("mail.mime.allowutf8")));
        }
    }

    static final class Multipart extends MimeMultipart {

        Multipart(DataSource source) throws MessagingException {
            super(source);
        }

        @Override
        protected MimeBodyPart createMimeBodyPart(InputStream in) throws MessagingException {
            return new BodyPart(in);
        }
    }

    /** What {@link MimeBodyPart#MimeBodyPart(InputStream)} does, which reads body part headers as ISO-8859-1. */
    static final class BodyPart extends MimeBodyPart {

        BodyPart(InputStream in) throws MessagingException {
            headers = PartHeaders.read(in, false);
            if (in instanceof SharedInputStream shared) {
                contentStream = shared.newStream(shared.getPosition(), -1);
            } else {
                try {
                    content = in.readAllBytes();
                } catch (IOException e) {
                    throw new MessagingException("Error reading input stream", e);
                }
            }
        }
    }
}
