package org.emaillistener.secondary.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailAttachment;
import org.emaillistener.common.creatio.StreamedAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.SharedInputStream;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;

/**
 * Converts a raw RFC 822 message into Creatio's {@link Email}. It never throws: what cannot be
 * parsed is converted with whatever could be read, because a message left out is a message the
 * user never sees. One instance serves any number of threads.
 *
 * <p>There is one mapping, over a message that can be read more than once from its start: the bytes
 * in memory ({@link #convert(byte[], Instant)}) or a file whose parts are read lazily, which is how
 * delivery handles mail of any size ({@link #convert(Path, Instant, long)}).
 */
public class EmailConverter {

    private static final Logger log = LoggerFactory.getLogger(EmailConverter.class);
    private static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        // jakarta.mail looks its StreamProvider up for every body part it creates, with a
        // ServiceLoader scan of the class path (about a tenth of the time a 20 KB message takes)
        // unless this property names it. The provider named is the one the scan would find.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /** .NET's DateTime, and so Creatio, holds nothing outside years 1 to 9999. */
    private static final Instant EARLIEST_TICKS = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST_TICKS = Instant.parse("9999-12-31T23:59:59Z");

    private static final Pattern HEADER_BLOCK_END = Pattern.compile("\\r?\\n\\r?\\n");
    private static final Pattern FOLD = Pattern.compile("\\r?\\n[ \\t]+");

    private final Session session = Session.getInstance(lenientParsing());
    private final boolean bulkReading;
    private final long readAtOnce;

    public EmailConverter() {
        this(true, READ_AT_ONCE);
    }

    /**
     * @param bulkReading whether multiparts are split and quoted-printable text is decoded by this
     *        package's block readers, as in production; without it, by jakarta.mail and Angus alone,
     *        the reference the equality tests hold the block readers to
     * @param readAtOnce the size up to which a spooled message is read into memory at once
     */
    EmailConverter(boolean bulkReading, long readAtOnce) {
        this.bulkReading = bulkReading;
        this.readAtOnce = readAtOnce;
    }

    /** The header that lists the attachments left out of a delivery for their size. */
    public static final String OMITTED_HEADER = "X-EmailListener-Omitted";

    /** Messages up to this size are converted from memory; larger ones part by part from their file. */
    static final int READ_AT_ONCE = 256 * 1024;

    /** Bytes looked at to tell a message from arbitrary data: a header field name fits in a line. */
    private static final int HEAD_LENGTH = 1000;

    /**
     * Converts one message, attachments included whatever their size.
     *
     * @param rawMessage the message as fetched (RFC822 / BODY[]); null is read as empty
     * @param receivedAt the IMAP INTERNALDATE, the send date of a message without a usable Date header
     */
    public Email convert(byte[] rawMessage, Instant receivedAt) {
        byte[] raw = rawMessage == null ? new byte[0] : rawMessage;
        try (ConvertedEmail converted = read(new SharedByteArrayInputStream(raw), receivedAt, Long.MAX_VALUE)) {
            List<EmailAttachment> attachments = new ArrayList<>();
            for (StreamedAttachment attachment : converted.attachments()) {
                attachments.add(new EmailAttachment(attachment.Id(), attachment.Name(),
                        Base64.getEncoder().encodeToString(readAll(attachment)), attachment.IsInline()));
            }
            Email email = converted.email();
            return email.withAttachments(attachments);
        }
    }

    /**
     * Converts one message stored in a file, which must stay in place until the result is closed: the
     * attachments of a message over {@value #READ_AT_ONCE} bytes are not read into memory but from the
     * file when they are written; a smaller message is read into memory at once, which costs less than
     * the many small reads and buffers of parsing it from the file part by part. Attachments are
     * kept in the order they occur while their decoded sizes add up to at most
     * {@code maxAttachmentBytes}; the others are left out and named in the {@value #OMITTED_HEADER}
     * entry of {@code Headers}, so that the email itself still reaches Creatio.
     *
     * @param rawMessage the message as fetched (RFC822 / BODY[])
     * @param receivedAt the IMAP INTERNALDATE, the send date of a message without a usable Date header
     */
    public ConvertedEmail convert(Path rawMessage, Instant receivedAt, long maxAttachmentBytes) throws IOException {
        long size = Files.size(rawMessage);
        if (size <= readAtOnce) {
            return read(new SharedByteArrayInputStream(Files.readAllBytes(rawMessage)), receivedAt,
                    maxAttachmentBytes);
        }
        // Every part's stream gets a buffer this size: big enough to read a large part in few calls,
        // no bigger than the message (the default is 2 KB).
        SharedFileInputStream raw = new SharedFileInputStream(rawMessage.toFile(),
                (int) Math.clamp(size, 2048, 64 * 1024));
        try {
            return read(raw, receivedAt, maxAttachmentBytes);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private <S extends InputStream & SharedInputStream> ConvertedEmail read(S raw, Instant receivedAt,
            long maxAttachmentBytes) {
        if (!startsWithHeaderField(head(raw))) {
            return new ConvertedEmail(fromUnstructured(raw, receivedAt), List.of(), raw);
        }
        try {
            MimeMessage message = new SpooledParts.Message(session, raw);
            MessageContent content = MessageContent.read(message, session.getStreamProvider(), bulkReading);
            List<StreamedAttachment> attachments = new ArrayList<>();
            List<String> omitted = new ArrayList<>();
            long total = 0;
            for (MessageContent.File file : content.files()) {
                if (total + file.size() <= maxAttachmentBytes) {
                    total += file.size();
                    attachments.add(file.toAttachment());
                } else {
                    omitted.add(file.name() + " (" + file.size() + " bytes)");
                }
            }
            if (!omitted.isEmpty()) {
                log.info("Attachments over the limit of {} bytes left out of a delivery: {}", maxAttachmentBytes,
                        omitted);
            }
            return new ConvertedEmail(fromMime(message, content, omitted, raw, receivedAt), attachments, raw);
        } catch (MessagingException | RuntimeException e) {
            log.warn("Message could not be parsed as MIME; delivering its raw text", e);
            return new ConvertedEmail(fromUnstructured(raw, receivedAt), List.of(), raw);
        }
    }

    private Email fromMime(MimeMessage message, MessageContent content, List<String> omitted, SharedInputStream raw,
            Instant receivedAt) {
        Instant date = readOr(null, "Date", () -> representable(message.getSentDate()));
        String messageId = HeaderValues.first(message, "Message-ID");
        List<String> headers = new ArrayList<>(readOr(List.of(), "headers", () -> headerLines(message)));
        if (!omitted.isEmpty()) {
            headers.add(OMITTED_HEADER + "=" + String.join("; ", omitted));
        }
        return new Email(
                "",
                HeaderValues.decodeWords(HeaderValues.first(message, "Subject")),
                content.body(),
                AddressHeaders.sender(message),
                AddressHeaders.list(message, "To"),
                AddressHeaders.list(message, "Cc"),
                AddressHeaders.list(message, "Bcc"),
                headers,
                importance(message),
                content.isHtml(),
                List.of(),
                sendDateTimeStamp(date, receivedAt),
                messageId.isEmpty() ? syntheticMessageId(raw) : messageId,
                HeaderValues.first(message, "In-Reply-To"),
                HeaderValues.first(message, "References"));
    }

    /**
     * The last resort, for bytes that are not a message at all or that jakarta.mail rejects: the
     * subject and sender if a header block can be made out, and everything else as plain text.
     */
    private Email fromUnstructured(SharedInputStream message, Instant receivedAt) {
        byte[] raw = readAll(message);
        String text = LenientCharset.decode(raw, null);
        String headerBlock = "";
        String body = text;
        Matcher blockEnd = HEADER_BLOCK_END.matcher(text);
        if (startsWithHeaderField(raw) && blockEnd.find()) {
            headerBlock = FOLD.matcher(text.substring(0, blockEnd.start())).replaceAll(" ");
            body = text.substring(blockEnd.end());
        }
        String messageId = unstructuredHeader(headerBlock, "Message-ID");
        return new Email("", HeaderValues.decodeWords(unstructuredHeader(headerBlock, "Subject")), body,
                HeaderValues.decodeWords(unstructuredHeader(headerBlock, "From")), List.of(), List.of(), List.of(),
                List.of(), Email.IMPORTANCE_NORMAL, false, List.of(), sendDateTimeStamp(null, receivedAt),
                messageId.isEmpty() ? syntheticMessageId(message) : messageId, "", "");
    }

    private static String unstructuredHeader(String unfoldedBlock, String name) {
        for (String line : unfoldedBlock.split("\\r?\\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "";
    }

    /** Every header of the message, in order, as Creatio reads them: {@code Name=Value}, unfolded, not decoded. */
    private static List<String> headerLines(MimeMessage message) throws MessagingException {
        List<String> lines = new ArrayList<>();
        for (Enumeration<String> headers = message.getAllHeaderLines(); headers.hasMoreElements(); ) {
            String line = headers.nextElement();
            int colon = line.indexOf(':');
            // jakarta.mail keeps a stray line without a colon as a header named after the whole line.
            if (colon > 0 && isFieldName(line.substring(0, colon).strip())) {
                lines.add(line.substring(0, colon).strip() + "=" + HeaderValues.unfold(line.substring(colon + 1)));
            }
        }
        return lines;
    }

    /**
     * Creatio's importance from, in this order, {@code Importance} (RFC 2156), {@code X-Priority} and
     * {@code X-MSMail-Priority}. A message that says nothing is of normal importance, the default RFC
     * 2156 gives for a missing Importance.
     */
    private static int importance(MimeMessage message) {
        Integer importance = fromWord(HeaderValues.first(message, "Importance"));
        if (importance == null) {
            importance = fromDigit(HeaderValues.first(message, "X-Priority"));
        }
        if (importance == null) {
            importance = fromWord(HeaderValues.first(message, "X-MSMail-Priority"));
        }
        return importance == null ? Email.IMPORTANCE_NORMAL : importance;
    }

    private static Integer fromWord(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "high" -> Email.IMPORTANCE_HIGH;
            case "normal" -> Email.IMPORTANCE_NORMAL;
            case "low" -> Email.IMPORTANCE_LOW;
            default -> null;
        };
    }

    /** X-Priority is a digit from 1 (highest) to 5 (lowest), often followed by a word: "1 (Highest)". */
    private static Integer fromDigit(String value) {
        return switch (value.isEmpty() ? ' ' : value.charAt(0)) {
            case '1', '2' -> Email.IMPORTANCE_HIGH;
            case '3' -> Email.IMPORTANCE_NORMAL;
            case '4', '5' -> Email.IMPORTANCE_LOW;
            default -> null;
        };
    }

    private static long sendDateTimeStamp(Instant date, Instant receivedAt) {
        if (date != null) {
            return DotNetTicks.of(date);
        }
        Instant received = representable(receivedAt);
        return DotNetTicks.of(received != null ? received : Instant.now());
    }

    private static Instant representable(Date date) {
        return date == null ? null : representable(date.toInstant());
    }

    private static Instant representable(Instant instant) {
        return instant == null || instant.isBefore(EARLIEST_TICKS) || instant.isAfter(LATEST_TICKS) ? null : instant;
    }

    /**
     * Creatio deduplicates on MessageId and drops mail without one, so a message without a
     * Message-ID gets one derived from its bytes: the same message fetched twice, by two replicas or
     * after a restart, gets the same id and is stored once.
     */
    private static String syntheticMessageId(SharedInputStream raw) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(raw.newStream(0, -1), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message for its digest failed", e);
        }
        return "<" + HexFormat.of().formatHex(digest.digest()).substring(0, 32) + "@email-listener.generated>";
    }

    private static byte[] head(SharedInputStream raw) {
        try (InputStream in = raw.newStream(0, -1)) {
            return in.readNBytes(HEAD_LENGTH);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message failed", e);
        }
    }

    private static byte[] readAll(SharedInputStream raw) {
        try (InputStream in = raw.newStream(0, -1)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message failed", e);
        }
    }

    private static byte[] readAll(StreamedAttachment attachment) {
        try (InputStream in = attachment.content().open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading an attachment failed", e);
        }
    }

    /** Whether the bytes open with {@code Name:} as a message does, rather than with arbitrary data. */
    private static boolean startsWithHeaderField(byte[] raw) {
        int i = 0;
        while (i < raw.length && raw[i] > ' ' && raw[i] < 127 && raw[i] != ':') {
            i++;
        }
        int nameEnd = i;
        // RFC 822 allowed white space before the colon (obs-optional in RFC 5322).
        while (i < raw.length && (raw[i] == ' ' || raw[i] == '\t')) {
            i++;
        }
        return nameEnd > 0 && i < raw.length && raw[i] == ':';
    }

    private static boolean isFieldName(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c > ' ' && c < 127 && c != ':');
    }

    private static <T> T readOr(T fallback, String what, Callable<T> reading) {
        try {
            T value = reading.call();
            return value == null ? fallback : value;
        } catch (Exception e) {
            log.debug("Unreadable {} in a message", what, e);
            return fallback;
        }
    }

    /**
     * jakarta.mail takes address strictness and raw UTF-8 headers (RFC 6532) from the session. The
     * other leniency switches are JVM-wide system properties in Angus Mail, read once when its
     * classes load, which a library must not flip. They are set here too, to state the intent, but
     * this package does not rely on them: it reads charsets, parameters, encoded words and transfer
     * encodings leniently itself.
     */
    private static Properties lenientParsing() {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.address.strict", "false");
        properties.setProperty("mail.mime.allowutf8", "true");
        properties.setProperty("mail.mime.decodetext.strict", "false");
        properties.setProperty("mail.mime.parameters.strict", "false");
        properties.setProperty("mail.mime.decodeparameters", "true");
        properties.setProperty("mail.mime.decodefilename", "true");
        properties.setProperty("mail.mime.base64.ignoreerrors", "true");
        properties.setProperty("mail.mime.ignoreunknownencoding", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        return properties;
    }
}
