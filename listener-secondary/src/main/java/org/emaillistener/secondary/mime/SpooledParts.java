package org.emaillistener.secondary.mime;

import java.io.IOException;
import java.io.InputStream;

import jakarta.activation.DataSource;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.SharedInputStream;

/**
 * jakarta.mail's message, multipart and body part, parsed exactly as jakarta.mail parses them but
 * with their header blocks read by {@link PartHeaders}, without a class-path scan per part, and a
 * spooled multipart's parts found by {@link PartBoundaries} in blocks rather than a byte at a time.
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

        private final boolean bulkReading;

        /**
         * @param bulkReading whether the parts are found by {@link PartBoundaries}; without it, by
         *        jakarta.mail alone
         */
        Multipart(DataSource source, boolean bulkReading) throws MessagingException {
            super(source);
            this.bulkReading = bulkReading;
        }

        /**
         * The parts {@link MimeMultipart#parse()} would make, found by {@link PartBoundaries} in a
         * spooled multipart; anything else, or anything {@link PartBoundaries} leaves to jakarta.mail,
         * is parsed by jakarta.mail.
         */
        @Override
        protected synchronized void parse() throws MessagingException {
            if (parsed) {
                return;
            }
            initializeProperties();
            if (bulkReading && ignoreMissingEndBoundary && !ignoreExistingBoundaryParameter && parseInBulk()) {
                return;
            }
            super.parse();
        }

        private boolean parseInBulk() throws MessagingException {
            InputStream in;
            try {
                in = ds.getInputStream();
            } catch (IOException | RuntimeException e) {
                return false;
            }
            try (InputStream content = in) {
                if (!(content instanceof SharedInputStream shared)) {
                    return false;
                }
                long origin = shared.getPosition();
                PartBoundaries.Parts found = PartBoundaries.find(content,
                        new ContentType(contentType).getParameter("boundary"));
                if (found == null) {
                    return false;
                }
                // MimeMultipart.addBodyPart parses first; the parts are what the parsing gives.
                parsed = true;
                complete = found.complete();
                for (long[] range : found.ranges()) {
                    try (InputStream part = shared.newStream(origin + range[0], origin + range[1])) {
                        addBodyPart(createMimeBodyPart(part));
                    }
                }
                return true;
            } catch (IOException | MessagingException | RuntimeException e) {
                if (parsed) {
                    throw new MessagingException("Error reading the parts of a multipart", e);
                }
                return false;
            }
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
