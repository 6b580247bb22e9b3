package org.emaillistener.secondary.mime;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** File names for attachments: the sender's name made safe, or one made up from the MIME type. */
final class AttachmentNames {

    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("application/pdf", ".pdf"),
            Map.entry("application/zip", ".zip"),
            Map.entry("application/json", ".json"),
            Map.entry("application/xml", ".xml"),
            Map.entry("application/msword", ".doc"),
            Map.entry("application/vnd.ms-excel", ".xls"),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
            Map.entry("application/pkcs7-signature", ".p7s"),
            Map.entry("application/x-pkcs7-signature", ".p7s"),
            Map.entry("image/png", ".png"),
            Map.entry("image/jpeg", ".jpg"),
            Map.entry("image/gif", ".gif"),
            Map.entry("image/bmp", ".bmp"),
            Map.entry("image/webp", ".webp"),
            Map.entry("image/svg+xml", ".svg"),
            Map.entry("image/tiff", ".tif"),
            Map.entry("text/plain", ".txt"),
            Map.entry("text/html", ".html"),
            Map.entry("text/csv", ".csv"),
            Map.entry("text/calendar", ".ics"),
            Map.entry("text/xml", ".xml"),
            Map.entry("message/rfc822", ".eml"),
            Map.entry("audio/mpeg", ".mp3"),
            Map.entry("video/mp4", ".mp4"));

    private static final Pattern NOT_IN_FILE_NAMES = Pattern.compile("[\\\\/:*?\"<>|\\p{Cntrl}]");
    private static final int MAX_SUBJECT_LENGTH = 100;

    private AttachmentNames() {
    }

    /**
     * The sender's file name, decoded (RFC 2047 words, which many mailers use instead of RFC 2231)
     * and reduced to its last path segment, so that {@code ../../etc/passwd} cannot name a place
     * outside wherever Creatio or a user saves it; null when nothing usable is left.
     */
    static String fromSender(String fileName) {
        if (fileName == null) {
            return null;
        }
        String decoded = HeaderValues.decodeWords(HeaderValues.repairRawUtf8(fileName));
        String lastSegment = decoded.substring(Math.max(decoded.lastIndexOf('/'), decoded.lastIndexOf('\\')) + 1);
        String name = lastSegment.replaceAll("\\p{Cntrl}", "").strip();
        return name.isEmpty() || name.equals(".") || name.equals("..") ? null : name;
    }

    /** A name for an attachment that came without one: {@code attachment-<position>.<ext>}. */
    static String generated(int position, String mimeType) {
        return "attachment-" + position + EXTENSIONS.getOrDefault(mimeType.toLowerCase(Locale.ROOT), ".bin");
    }

    /** A name for an attached message: its subject, made fit for a file name, or {@code message}. */
    static String forMessage(String subject) {
        String name = NOT_IN_FILE_NAMES.matcher(subject).replaceAll("_").strip();
        if (name.codePointCount(0, name.length()) > MAX_SUBJECT_LENGTH) {
            name = name.substring(0, name.offsetByCodePoints(0, MAX_SUBJECT_LENGTH)).strip();
        }
        return (name.isEmpty() ? "message" : name) + ".eml";
    }
}
