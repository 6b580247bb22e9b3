package org.emaillistener.common.graph;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

/**
 * A MIME message taken apart for a send through a Graph draft: the message without its attachments
 * (its headers, Message-ID included, and its text and HTML bodies as they were), and each attachment's
 * content, name and type to attach to the draft on its own. Graph takes about 4 MB in one request, so
 * mail larger than that cannot be sent whole ({@link GraphMailbox#sendMime}).
 *
 * @param message the MIME without the attachments
 */
record DetachedAttachments(byte[] message, List<Attachment> attachments) {

    /**
     * @param contentId the {@code Content-ID} an HTML body refers to it by ({@code cid:}), without its
     *        angle brackets, or null
     */
    record Attachment(String name, String contentType, byte[] content, boolean inline, String contentId) {
    }

    static DetachedAttachments of(byte[] mime) throws MessagingException, IOException {
        MimeMessage message = new KeptMessageId(new ByteArrayInputStream(mime));
        List<Attachment> attachments = new ArrayList<>();
        if (message.getContent() instanceof Multipart multipart) {
            detach(multipart, attachments);
            if (multipart.getCount() == 0) {
                message.setText("", "UTF-8");
            } else {
                message.setContent(multipart);
            }
        }
        if (attachments.isEmpty()) {
            return new DetachedAttachments(mime, List.of());
        }
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return new DetachedAttachments(out.toByteArray(), List.copyOf(attachments));
    }

    /** Takes the attachments out of {@code multipart} and the multiparts in it, depth first. */
    private static void detach(Multipart multipart, List<Attachment> into) throws MessagingException, IOException {
        for (int i = multipart.getCount() - 1; i >= 0; i--) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.getContent() instanceof Multipart inner) {
                detach(inner, into);
                if (inner.getCount() == 0) {
                    multipart.removeBodyPart(i);
                } else {
                    part.setContent(inner);
                }
            } else if (isAttachment(part)) {
                into.addFirst(attachment(part));
                multipart.removeBodyPart(i);
            }
        }
    }

    /**
     * A part is an attachment when it says so, has a file name, or is a non-text part an HTML body
     * refers to (an inline image); the text and HTML bodies stay.
     */
    private static boolean isAttachment(Part part) throws MessagingException {
        if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null) {
            return true;
        }
        return part instanceof MimeBodyPart mime && mime.getContentID() != null && !part.isMimeType("text/*");
    }

    private static Attachment attachment(BodyPart part) throws MessagingException, IOException {
        byte[] content;
        try (InputStream in = part.getInputStream()) {
            content = in.readAllBytes();
        }
        String name = part.getFileName() == null ? null : MimeUtility.decodeText(part.getFileName());
        String type = new ContentType(part.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
        String contentId = part instanceof MimeBodyPart mime ? mime.getContentID() : null;
        if (contentId != null) {
            contentId = contentId.replaceAll("^<|>$", "");
        }
        boolean inline = Part.INLINE.equalsIgnoreCase(part.getDisposition())
                || (part.getDisposition() == null && contentId != null);
        return new Attachment(name == null || name.isBlank() ? "attachment" : name, type, content, inline, contentId);
    }

    /** A parsed message that keeps its Message-ID when written again (JavaMail would make a new one). */
    private static final class KeptMessageId extends MimeMessage {

        KeptMessageId(InputStream mime) throws MessagingException {
            super(Session.getInstance(new Properties()), mime);
        }

        @Override
        protected void updateMessageID() {
            // The Message-ID the message came with stays: Creatio knows the mail by it.
        }
    }
}
