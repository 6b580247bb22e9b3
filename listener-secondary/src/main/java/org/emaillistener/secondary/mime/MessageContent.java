package org.emaillistener.secondary.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.emaillistener.common.creatio.StreamedAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.StreamProvider;

/**
 * The body Creatio shows and the files it stores, read from a message's MIME tree. Nothing here
 * throws: a part that cannot be read is kept as raw text or as a file rather than dropped. Files are
 * not read into memory: each is measured once and read again from the message when it is written.
 */
record MessageContent(String body, boolean isHtml, List<File> files) {

    /** No real mail nests deeper; parts below this depth are kept as files without being opened. */
    private static final int MAX_DEPTH = 50;
    /**
     * A text part larger than this (as stored, before decoding) is not read into the body, which is
     * one string in the heap and one field of Creatio's record, but kept as a file: it is streamed like
     * any attachment (and left out, named, beyond the attachment limit), so that mail of any size
     * reaches Creatio without the heap ever holding it whole.
     */
    static final long MAX_BODY_TEXT_BYTES = 4L * 1024 * 1024;

    /**
     * @param streams the session's transfer decoders, looked up once rather than for every part
     * @param bulkReading whether multiparts are split by {@link PartBoundaries} and quoted-printable
     *        text decoded by {@link QuotedPrintable}; without it, by jakarta.mail and Angus alone
     */
    static MessageContent read(MimePart message, StreamProvider streams, boolean bulkReading) {
        return new Walk(streams, bulkReading).read(message);
    }

    /** One pass over the tree, collecting text parts and files in the order they occur. */
    private static final class Walk {

        private static final Logger log = LoggerFactory.getLogger(MessageContent.class);

        private final List<String> htmlTexts = new ArrayList<>();
        private final List<String> plainTexts = new ArrayList<>();
        private final List<File> files = new ArrayList<>();
        /** Text parts kept as files for their size, by the file's name. */
        private final List<String> textsAsFiles = new ArrayList<>();
        private final StreamProvider streams;
        private final boolean bulkReading;

        Walk(StreamProvider streams, boolean bulkReading) {
            this.streams = streams;
            this.bulkReading = bulkReading;
        }

        MessageContent read(MimePart message) {
            visit(message, 0);
            // Where a text comes both as plain text and as HTML, the HTML keeps the formatting and the
            // cid: images; an HTML part with nothing in it does not beat real plain text.
            boolean html = htmlTexts.stream().anyMatch(text -> !text.isBlank());
            String body = join(html ? htmlTexts : plainTexts);
            if (body.isBlank() && !textsAsFiles.isEmpty()) {
                body = "The text of this email is too large to show here; it is attached as "
                        + String.join(", ", textsAsFiles) + ".";
            }
            boolean referencesPossible = html && files.stream().anyMatch(file -> !file.contentId().isEmpty());
            String searchableBody = referencesPossible ? body.toLowerCase(Locale.ROOT) : "";
            List<File> marked = files.stream()
                    .map(file -> file.inline(referencesPossible && file.isReferencedFrom(searchableBody)))
                    .toList();
            return new MessageContent(body, html, marked);
        }

        private void visit(MimePart part, int depth) {
            PartType type = PartType.of(part);
            if (depth > MAX_DEPTH) {
                addFile(part, type.base(), fileName(part));
            } else if (type.base().startsWith("multipart/")) {
                visitMultipart(part, type, depth);
            } else if (type.base().equals("message/rfc822") || type.base().equals("message/global")) {
                addMessage(part);
            } else {
                String fileName = fileName(part);
                boolean bodyText = fileName == null && !isDeclaredAttachment(part);
                boolean text = type.base().equals("text/html") || type.base().equals("text/plain");
                if (bodyText && text && oversized(part)) {
                    addTextAsFile(part, type.base());
                } else if (bodyText && type.base().equals("text/html")) {
                    htmlTexts.add(text(part, type));
                } else if (bodyText && type.base().equals("text/plain")) {
                    plainTexts.add(text(part, type));
                } else {
                    addFile(part, type.base(), fileName);
                }
            }
        }

        private void visitMultipart(MimePart part, PartType type, int depth) {
            List<MimePart> children = children(part, type);
            if (children.isEmpty()) {
                // The boundary never shows up (or the structure is otherwise unreadable): the text is
                // still in there, so the user gets it raw rather than not at all.
                if (oversized(part)) {
                    addTextAsFile(part, type.base());
                } else {
                    plainTexts.add(text(part, type));
                }
            }
            for (MimePart child : children) {
                visit(child, depth + 1);
            }
        }

        private void addTextAsFile(MimePart part, String mimeType) {
            addFile(part, mimeType, null);
            textsAsFiles.add(files.getLast().name());
        }

        /** Too large for the body: see {@link #MAX_BODY_TEXT_BYTES}. */
        private static boolean oversized(MimePart part) {
            long size;
            try {
                size = part.getSize();
            } catch (MessagingException | RuntimeException e) {
                return false;
            }
            if (size > MAX_BODY_TEXT_BYTES) {
                log.info("A text part of {} bytes is delivered as a file, not as the body", size);
                return true;
            }
            return false;
        }

        private void addMessage(MimePart part) {
            String fileName = fileName(part);
            String name = fileName != null ? fileName : AttachmentNames.forMessage(subjectOf(part));
            files.add(File.of(part, contentId(part), name, false));
        }

        private void addFile(MimePart part, String mimeType, String fileName) {
            String name = fileName != null ? fileName : AttachmentNames.generated(files.size() + 1, mimeType);
            files.add(File.of(part, contentId(part), name, !isContainer(mimeType)));
        }

        /** The Subject of an attached message, read from its header block only. */
        private static String subjectOf(MimePart message) {
            try (InputStream in = message.getInputStream()) {
                return HeaderValues.decodeWords(PartHeaders.read(in, false).getHeader("Subject", null));
            } catch (IOException | MessagingException | RuntimeException e) {
                return "";
            }
        }

        private List<MimePart> children(MimePart part, PartType type) {
            // jakarta.mail re-reads the Content-Type itself, strictly; hand it the leniently read one.
            MimePartDataSource source = new MimePartDataSource(part) {
                @Override
                public String getContentType() {
                    return type.forMultipartParsing();
                }
            };
            try {
                MimeMultipart multipart = new SpooledParts.Multipart(source, bulkReading);
                List<MimePart> children = new ArrayList<>();
                for (int i = 0; i < multipart.getCount(); i++) {
                    children.add((MimePart) multipart.getBodyPart(i));
                }
                return children;
            } catch (MessagingException | RuntimeException e) {
                log.debug("Unreadable {} part, kept as text", type.base(), e);
                return List.of();
            }
        }

        private String text(MimePart part, PartType type) {
            return LenientCharset.decode(isContainer(type.base()) ? content(part) : textContent(part),
                    type.charset());
        }

        /**
         * What {@link #content} reads, decoded from the raw bytes read at once, by
         * {@link QuotedPrintable} or the session's decoders: jakarta.mail's decoders read a spooled
         * part a byte at a time, each read a synchronized call into the file. Where anything fails,
         * {@link #content} reads it again as before.
         */
        private byte[] textContent(MimePart part) {
            if (!bulkReading) {
                return content(part);
            }
            try (InputStream raw = rawStream(part)) {
                byte[] bytes = raw.readAllBytes();
                String encoding = part.getEncoding();
                if ("quoted-printable".equalsIgnoreCase(encoding)) {
                    byte[] decoded = QuotedPrintable.decode(bytes);
                    if (decoded != null) {
                        return decoded;
                    }
                }
                try (InputStream decoded = decode(new Bytes(bytes), encoding)) {
                    return decoded.readAllBytes();
                }
            } catch (IOException | MessagingException | RuntimeException e) {
                return content(part);
            }
        }

        /**
         * Bytes in memory for a decoder that reads them one at a time: {@link ByteArrayInputStream}'s
         * single-byte read is synchronized, which cost as much as the decoding itself.
         */
        private static final class Bytes extends InputStream {

            private final byte[] bytes;
            private int position;

            Bytes(byte[] bytes) {
                this.bytes = bytes;
            }

            @Override
            public int read() {
                return position < bytes.length ? bytes[position++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (length == 0) {
                    return 0;
                }
                int n = Math.min(length, bytes.length - position);
                if (n <= 0) {
                    return -1;
                }
                System.arraycopy(bytes, position, buffer, offset, n);
                position += n;
                return n;
            }

            @Override
            public int available() {
                return bytes.length - position;
            }
        }

        /** {@link MimeUtility#decode(InputStream, String)} with the decoders at hand. */
        private InputStream decode(InputStream raw, String encoding) throws MessagingException {
            if (encoding == null) {
                return raw;
            }
            if (encoding.equalsIgnoreCase("base64")) {
                return streams.inputBase64(raw);
            }
            if (encoding.equalsIgnoreCase("quoted-printable")) {
                return streams.inputQP(raw);
            }
            if (encoding.equalsIgnoreCase("uuencode") || encoding.equalsIgnoreCase("x-uuencode")
                    || encoding.equalsIgnoreCase("x-uue")) {
                return streams.inputUU(raw);
            }
            if (encoding.equalsIgnoreCase("binary") || encoding.equalsIgnoreCase("7bit")
                    || encoding.equalsIgnoreCase("8bit")) {
                return streams.inputBinary(raw);
            }
            return MimeUtility.decode(raw, encoding);
        }

        /**
         * jakarta.mail does not undo a transfer encoding declared on a multipart or message part
         * ({@code mail.mime.ignoremultipartencoding}); such parts are left to it.
         */
        private static boolean isContainer(String mimeType) {
            return mimeType.startsWith("multipart/") || mimeType.startsWith("message/");
        }

        /** The part's content with its transfer encoding undone, or as near to it as can be read. */
        private static byte[] content(MimePart part) {
            try (InputStream in = part.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException | MessagingException | RuntimeException e) {
                byte[] raw = rawContent(part);
                if ("base64".equalsIgnoreCase(HeaderValues.first(part, "Content-Transfer-Encoding"))) {
                    try {
                        // The MIME decoder skips characters outside the alphabet instead of failing.
                        return Base64.getMimeDecoder().decode(raw);
                    } catch (IllegalArgumentException truncated) {
                        return raw;
                    }
                }
                return raw;
            }
        }

        private static byte[] rawContent(MimePart part) {
            try (InputStream in = rawStream(part)) {
                return in.readAllBytes();
            } catch (IOException | MessagingException | RuntimeException e) {
                return new byte[0];
            }
        }

        /** The part's content as it is in the message, transfer encoding and all. */
        private static InputStream rawStream(MimePart part) throws MessagingException {
            return switch (part) {
                case MimeMessage message -> message.getRawInputStream();
                case MimeBodyPart bodyPart -> bodyPart.getRawInputStream();
                default -> InputStream.nullInputStream();
            };
        }

        private static String fileName(MimePart part) {
            String fileName;
            try {
                fileName = part.getFileName();
            } catch (MessagingException | RuntimeException e) {
                fileName = PartType.parameter(HeaderValues.first(part, "Content-Disposition"), "filename");
                if (fileName == null) {
                    fileName = PartType.parameter(HeaderValues.first(part, "Content-Type"), "name");
                }
            }
            return AttachmentNames.fromSender(fileName);
        }

        private static boolean isDeclaredAttachment(MimePart part) {
            return HeaderValues.first(part, "Content-Disposition").toLowerCase(Locale.ROOT).startsWith("attachment");
        }

        private static String contentId(MimePart part) {
            String id = HeaderValues.first(part, "Content-ID");
            if (id.startsWith("<")) {
                id = id.substring(1);
            }
            if (id.endsWith(">")) {
                id = id.substring(0, id.length() - 1);
            }
            return id.strip();
        }

        private static String join(List<String> texts) {
            StringBuilder joined = new StringBuilder();
            for (String text : texts) {
                if (!joined.isEmpty() && joined.charAt(joined.length() - 1) != '\n') {
                    joined.append("\r\n");
                }
                joined.append(text);
            }
            return joined.toString();
        }
    }

    /**
     * A file found in the tree; whether it is inline depends on the body chosen afterwards.
     *
     * @param size the decoded content's length in bytes
     */
    record File(String contentId, String name, StreamedAttachment.Content content, long size, boolean isInline) {

        /**
         * The part's decoded content, measured now and read again from the message each time it is
         * opened. A part whose transfer encoding does not decode to the end is decoded once,
         * leniently, and kept in memory: only broken parts, which are rarely large, cost heap.
         *
         * @param decodedByJakarta whether jakarta.mail undoes the part's transfer encoding (it does
         *        not for multipart and message parts); only then may clean base64 be copied
         */
        static File of(MimePart part, String contentId, String name, boolean decodedByJakarta) {
            StreamedAttachment.Content decoded = () -> {
                try {
                    return part.getInputStream();
                } catch (MessagingException e) {
                    throw new IOException(e);
                }
            };
            if (decodedByJakarta) {
                File copied = cleanBase64(part, contentId, name, decoded);
                if (copied != null) {
                    return copied;
                }
            }
            try (InputStream in = decoded.open()) {
                return new File(contentId, name, decoded, in.transferTo(OutputStream.nullOutputStream()), false);
            } catch (IOException | RuntimeException e) {
                byte[] content = Walk.content(part);
                return new File(contentId, name, () -> new ByteArrayInputStream(content), content.length, false);
            }
        }

        /**
         * The part as a file whose Base64Data is its own text without line breaks, if it is sent in
         * base64 that is {@link CleanBase64 clean}; else null. Measuring it reads the text once and
         * decodes nothing.
         */
        private static File cleanBase64(MimePart part, String contentId, String name,
                StreamedAttachment.Content decoded) {
            long size;
            try (InputStream text = Walk.rawStream(part)) {
                if (!"base64".equalsIgnoreCase(part.getEncoding())) {
                    return null;
                }
                size = CleanBase64.decodedSize(text);
            } catch (IOException | MessagingException | RuntimeException e) {
                return null;
            }
            if (size < 0) {
                return null;
            }
            StreamedAttachment.Content copied = new StreamedAttachment.Content() {
                @Override
                public InputStream open() throws IOException {
                    return decoded.open();
                }

                @Override
                public InputStream openBase64() throws IOException {
                    try {
                        return CleanBase64.withoutLineBreaks(Walk.rawStream(part));
                    } catch (MessagingException e) {
                        throw new IOException(e);
                    }
                }
            };
            return new File(contentId, name, copied, size, false);
        }

        /**
         * Creatio puts an inline attachment where the body says {@code cid:<Id>} and does not list it
         * with the other files, so only a part the HTML body actually references is marked inline;
         * one it does not reference (an image next to a plain-text body, say) would otherwise vanish.
         */
        boolean isReferencedFrom(String lowerCaseBody) {
            return !contentId.isEmpty() && lowerCaseBody.contains("cid:" + contentId.toLowerCase(Locale.ROOT));
        }

        File inline(boolean inline) {
            return new File(contentId, name, content, size, inline);
        }

        StreamedAttachment toAttachment() {
            return new StreamedAttachment(contentId, name, isInline, content);
        }
    }

    /** The Content-Type of a part, read strictly where possible and by pattern where not. */
    private record PartType(String base, String charset, String boundary) {

        private static final Pattern MIME_TYPE = Pattern.compile("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+");

        static PartType of(MimePart part) {
            String header;
            try {
                header = part.getContentType();
            } catch (MessagingException | RuntimeException e) {
                header = null;
            }
            if (header == null) {
                return new PartType("text/plain", null, null);
            }
            try {
                ContentType type = new ContentType(header);
                return new PartType(type.getBaseType().toLowerCase(Locale.ROOT), type.getParameter("charset"),
                        type.getParameter("boundary"));
            } catch (MessagingException | RuntimeException e) {
                // Unquoted boundaries with '=' in them and similar slips are common; keep what can be read.
                String base = HeaderValues.unfold(header.split(";", 2)[0]).toLowerCase(Locale.ROOT);
                // RFC 2045 §5.2: a Content-Type that cannot be made sense of means text/plain.
                return new PartType(MIME_TYPE.matcher(base).matches() ? base : "text/plain",
                        parameter(header, "charset"), parameter(header, "boundary"));
            }
        }

        /** A parameter's value found by pattern in a header that does not parse; null if absent. */
        static String parameter(String header, String name) {
            Matcher matcher = Pattern.compile("(?i)(?:^|;)\\s*" + name + "\\s*=\\s*(?:\"([^\"]*)\"|([^;]*))")
                    .matcher(HeaderValues.unfold(header));
            if (!matcher.find()) {
                return null;
            }
            String value = matcher.group(1) != null ? matcher.group(1) : matcher.group(2).strip();
            return value.isEmpty() ? null : value;
        }

        String forMultipartParsing() {
            return boundary == null ? base : base + "; boundary=\"" + boundary.replace("\"", "") + "\"";
        }
    }
}
