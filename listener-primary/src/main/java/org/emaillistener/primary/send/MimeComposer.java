package org.emaillistener.primary.send;

import java.io.UnsupportedEncodingException;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailAttachment;
import org.springframework.stereotype.Component;

import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * Builds the MIME message of Creatio's {@link Email}. Text is UTF-8; inline attachments (with a
 * Content-ID the HTML body refers to as {@code cid:}) sit with the body in multipart/related, other
 * attachments in multipart/mixed. Blind-copy recipients are envelope recipients only, never a header.
 */
@Component
public class MimeComposer {

    private static final String UTF_8 = "UTF-8";
    /**
     * Headers the composer writes from Email's own fields, or that would break the message's
     * structure (or, for trace headers, claim a delivery that has not happened): an entry of
     * {@code Email.Headers} never sets them.
     */
    private static final Set<String> RESERVED_HEADERS = Set.of("mime-version", "content-type",
            "content-transfer-encoding", "content-disposition", "content-id", "content-length", "from", "sender",
            "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to", "references", "importance",
            "x-priority", "return-path", "received");
    /** RFC 5322 field names: printable ASCII without the colon. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");
    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern MESSAGE_ID = Pattern.compile("[^\\s<>@]+@[^\\s<>@]+");
    private static final Pattern NOT_ID_TEXT = Pattern.compile("[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]");

    private final Session session = Session.getInstance(new Properties());

    /**
     * @param mailboxAddress the mailbox's address, the author when {@code Email.Sender} is empty
     * @throws InvalidEmailException when the email has no author or no recipient, or an attachment
     *         is not Base64
     * @throws UnsendableEmailException when an address is not an e-mail address
     */
    public OutgoingMessage compose(Email email, String mailboxAddress) throws UnsendableEmailException {
        InternetAddress from = sender(email, mailboxAddress);
        List<InternetAddress> to = addresses(email.Recepients(), "To");
        List<InternetAddress> cc = addresses(email.CopyRecepients(), "Cc");
        List<InternetAddress> bcc = addresses(email.BlindCopyRecepients(), "Bcc");
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw new InvalidEmailException(
                    "The email has no recipients: Recepients, CopyRecepients and BlindCopyRecepients are all empty");
        }
        List<Attachment> attachments = attachments(email.Attachments());
        try {
            MimeMessage message = new ComposedMessage(session, messageId(email, from));
            message.setFrom(from);
            if (!to.isEmpty()) {
                message.setRecipients(RecipientType.TO, to.toArray(InternetAddress[]::new));
            }
            if (!cc.isEmpty()) {
                message.setRecipients(RecipientType.CC, cc.toArray(InternetAddress[]::new));
            }
            message.setSubject(oneLine(email.Subject()), UTF_8);
            message.setSentDate(new Date());
            setThreadHeaders(message, email);
            setImportance(message, email.Importance());
            addCustomHeaders(message, email.Headers());
            setContent(message, email, attachments);
            message.saveChanges();
            return new OutgoingMessage(message, envelope(to, cc, bcc));
        } catch (MessagingException e) {
            throw new IllegalStateException("Composing an in-memory message failed", e);
        }
    }

    /** {@code Email.Sender}, or the mailbox's address when the sender is empty. */
    static InternetAddress sender(Email email, String mailboxAddress) throws UnsendableEmailException {
        for (String candidate : new String[] { email.Sender(), mailboxAddress }) {
            List<InternetAddress> addresses = addresses(candidate == null ? List.of() : List.of(candidate), "From");
            if (!addresses.isEmpty()) {
                return addresses.getFirst();
            }
        }
        throw new InvalidEmailException("The email has no sender: Email.Sender and Credentials.SenderEmailAddress "
                + "are both empty");
    }

    /**
     * The addresses of a recipient list. Each entry is {@code Name <addr>} or a bare address, and
     * may itself hold several, separated by {@code ;} (as Outlook writes them) or {@code ,}.
     */
    static List<InternetAddress> addresses(List<String> entries, String field) throws UnsendableEmailException {
        List<InternetAddress> addresses = new ArrayList<>();
        for (String entry : entries) {
            for (String piece : splitOnSemicolons(oneLine(entry))) {
                if (piece.isBlank()) {
                    continue;
                }
                try {
                    for (InternetAddress parsed : InternetAddress.parseHeader(piece, false)) {
                        addMailboxes(parsed, addresses);
                    }
                } catch (AddressException e) {
                    throw new UnsendableEmailException("The email was not sent: \"" + piece.strip() + "\" (" + field
                            + ") is not a valid e-mail address.", e);
                }
            }
        }
        return addresses;
    }

    private static void addMailboxes(InternetAddress parsed, List<InternetAddress> addresses) throws AddressException {
        if (parsed.isGroup()) {
            // A group such as "undisclosed-recipients:;" stands for its members, often none.
            for (InternetAddress member : parsed.getGroup(false)) {
                addMailboxes(member, addresses);
            }
            return;
        }
        String address = parsed.getAddress() == null ? "" : parsed.getAddress().strip();
        String name = parsed.getPersonal() == null ? "" : parsed.getPersonal().strip();
        InternetAddress mailbox = new InternetAddress();
        mailbox.setAddress(address);
        if (!name.isEmpty()) {
            try {
                // Set anew, so that a non-ASCII display name is RFC 2047-encoded rather than written raw.
                mailbox.setPersonal(name, UTF_8);
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        mailbox.validate();
        addresses.add(mailbox);
    }

    /** Splits on the semicolons that are not inside a quoted display name or an angle-bracket address. */
    private static List<String> splitOnSemicolons(String entry) {
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        boolean quoted = false;
        boolean angled = false;
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == '\\' && quoted && i + 1 < entry.length()) {
                piece.append(c).append(entry.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '<' && !quoted) {
                angled = true;
            } else if (c == '>' && !quoted) {
                angled = false;
            } else if (c == ';' && !quoted && !angled) {
                pieces.add(piece.toString());
                piece.setLength(0);
                continue;
            }
            piece.append(c);
        }
        pieces.add(piece.toString());
        return pieces;
    }

    /**
     * The Message-ID Creatio chose, so that replies can be matched to this email: a
     * {@code Message-ID} entry of {@code Email.Headers}, else {@code Email.MessageId}, else
     * {@code Email.Id} (Creatio's activity id) made into {@code <id@sender-domain>}.
     */
    static String messageId(Email email, InternetAddress from) {
        String chosen = headerValue(email.Headers(), "Message-ID");
        if (chosen.isBlank()) {
            chosen = email.MessageId();
        }
        if (chosen.isBlank()) {
            chosen = email.Id().isBlank() ? UUID.randomUUID().toString() : email.Id();
        }
        String id = WHITESPACE.matcher(chosen).replaceAll("");
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        if (id.isEmpty()) {
            id = UUID.randomUUID().toString();
        }
        if (MESSAGE_ID.matcher(id).matches()) {
            return "<" + id + ">";
        }
        String address = from.getAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1);
        return "<" + NOT_ID_TEXT.matcher(id).replaceAll("-") + "@" + domain + ">";
    }

    /** In-Reply-To and References from Email's fields, else from its {@code Headers}. */
    private static void setThreadHeaders(MimeMessage message, Email email) throws MessagingException {
        setThreadHeader(message, "In-Reply-To", email.InReplyTo(), email.Headers());
        setThreadHeader(message, "References", email.References(), email.Headers());
    }

    private static void setThreadHeader(MimeMessage message, String name, String field, List<String> headers)
            throws MessagingException {
        String value = oneLine(field).strip();
        if (value.isEmpty()) {
            value = headerValue(headers, name);
        }
        if (!value.isEmpty()) {
            message.setHeader(name, MimeUtility.fold(name.length() + 2, value));
        }
    }

    /** Creatio's Importance as both the standard header (RFC 2156) and the one Outlook reads. */
    private static void setImportance(MimeMessage message, int importance) throws MessagingException {
        String[] headers = switch (importance) {
            case Email.IMPORTANCE_HIGH -> new String[] { "high", "1 (Highest)" };
            case Email.IMPORTANCE_NORMAL -> new String[] { "normal", "3 (Normal)" };
            case Email.IMPORTANCE_LOW -> new String[] { "low", "5 (Lowest)" };
            default -> null;
        };
        if (headers != null) {
            message.setHeader("Importance", headers[0]);
            message.setHeader("X-Priority", headers[1]);
        }
    }

    /**
     * Each {@code Name=Value} entry (split on the first {@code =}) becomes a header, unless its name
     * is reserved or not a header name. Line breaks in a value are flattened, so that no entry can
     * smuggle in headers of its own.
     */
    private static void addCustomHeaders(MimeMessage message, List<String> entries) throws MessagingException {
        for (String entry : entries) {
            int equals = entry == null ? -1 : entry.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = entry.substring(0, equals).strip();
            if (!HEADER_NAME.matcher(name).matches() || RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String value = oneLine(entry.substring(equals + 1)).strip();
            try {
                message.addHeader(name, MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(value, UTF_8, null)));
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The value of the first {@code Name=Value} entry with this name; "" if there is none. */
    static String headerValue(List<String> entries, String name) {
        for (String entry : entries) {
            int equals = entry == null ? -1 : entry.indexOf('=');
            if (equals > 0 && entry.substring(0, equals).strip().equalsIgnoreCase(name)) {
                return oneLine(entry.substring(equals + 1)).strip();
            }
        }
        return "";
    }

    /**
     * The body alone; or multipart/related (body and the images it shows) inside multipart/mixed
     * (and the attachments). Inline parts belong to an HTML body: plain text cannot refer to them, so
     * there they travel as ordinary attachments.
     */
    private static void setContent(MimeMessage message, Email email, List<Attachment> attachments)
            throws MessagingException {
        boolean html = email.IsHtmlBody();
        String subtype = html ? "html" : "plain";
        List<Attachment> inline = attachments.stream().filter(attachment -> html && attachment.inline()).toList();
        List<Attachment> attached = attachments.stream().filter(attachment -> !(html && attachment.inline())).toList();
        if (inline.isEmpty() && attached.isEmpty()) {
            message.setText(email.Body(), UTF_8, subtype);
            return;
        }
        MimeBodyPart body = new MimeBodyPart();
        body.setText(email.Body(), UTF_8, subtype);
        MimeBodyPart content = body;
        if (!inline.isEmpty()) {
            MimeMultipart related = new MimeMultipart("related");
            related.addBodyPart(body);
            for (Attachment attachment : inline) {
                related.addBodyPart(attachment.part(true));
            }
            if (attached.isEmpty()) {
                message.setContent(related);
                return;
            }
            content = new MimeBodyPart();
            content.setContent(related);
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(content);
        for (Attachment attachment : attached) {
            mixed.addBodyPart(attachment.part(false));
        }
        message.setContent(mixed);
    }

    private static List<Attachment> attachments(List<EmailAttachment> attachments) {
        List<Attachment> decoded = new ArrayList<>();
        for (int i = 0; i < attachments.size(); i++) {
            EmailAttachment attachment = attachments.get(i);
            String name = oneLine(attachment.Name()).strip();
            byte[] data;
            try {
                data = Base64.getDecoder().decode(WHITESPACE.matcher(attachment.Base64Data()).replaceAll(""));
            } catch (IllegalArgumentException e) {
                throw new InvalidEmailException("Email.Attachments[" + i + "]" + (name.isEmpty() ? "" : " (" + name
                        + ")") + ": Base64Data is not valid Base64");
            }
            String contentId = WHITESPACE.matcher(attachment.Id()).replaceAll("");
            if (contentId.startsWith("<") && contentId.endsWith(">")) {
                contentId = contentId.substring(1, contentId.length() - 1);
            }
            decoded.add(new Attachment(name, contentId, data, attachment.IsInline() && !contentId.isEmpty()));
        }
        return decoded;
    }

    private static List<InternetAddress> envelope(List<InternetAddress> to, List<InternetAddress> cc,
            List<InternetAddress> bcc) {
        Map<String, InternetAddress> unique = new LinkedHashMap<>();
        Stream.of(to, cc, bcc).flatMap(List::stream)
                .forEach(address -> unique.putIfAbsent(address.getAddress().toLowerCase(Locale.ROOT), address));
        return List.copyOf(unique.values());
    }

    private static String oneLine(String value) {
        return value == null ? "" : LINE_BREAKS.matcher(value).replaceAll(" ");
    }

    /**
     * An attachment of the email, decoded.
     *
     * @param inline Creatio marked it inline and gave it a Content-ID
     */
    private record Attachment(String name, String contentId, byte[] data, boolean inline) {

        /** @param shownInBody an image of the HTML body, found by its Content-ID */
        MimeBodyPart part(boolean shownInBody) throws MessagingException {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(data, contentType())));
            // Base64 keeps the file's bytes: a text/* part would otherwise get its line ends rewritten to CRLF.
            part.setHeader("Content-Transfer-Encoding", "base64");
            part.setDisposition(shownInBody ? Part.INLINE : Part.ATTACHMENT);
            if (!name.isEmpty() || !shownInBody) {
                // Non-ASCII names are written as RFC 2231 parameters (Angus Mail's default).
                part.setFileName(name.isEmpty() ? "attachment" : name);
            }
            if (shownInBody) {
                part.setContentID("<" + contentId + ">");
            }
            return part;
        }

        private String contentType() {
            String type = name.isEmpty() ? null : URLConnection.guessContentTypeFromName(name);
            return type == null ? "application/octet-stream" : type;
        }
    }

    /** Keeps the Message-ID the composer chose: a plain MimeMessage replaces it on saveChanges. */
    private static final class ComposedMessage extends MimeMessage {

        private final String messageId;

        ComposedMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
