package org.emaillistener.secondary.mime;

import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;

/** Reading header values as they occur in real mail: folded, encoded, sometimes in raw UTF-8. */
final class HeaderValues {

    private static final Pattern FOLD = Pattern.compile("\\r?\\n[ \\t]+");
    private static final Pattern STRAY_LINE_BREAK = Pattern.compile("[\\r\\n]");
    private static final Pattern ADJACENT_ENCODED_WORDS = Pattern.compile("\\?==\\?");

    private HeaderValues() {
    }

    /** The first value of a header, unfolded and trimmed; "" when absent or unreadable. */
    static String first(MimePart part, String name) {
        try {
            return unfold(part.getHeader(name, null));
        } catch (MessagingException | RuntimeException e) {
            return "";
        }
    }

    /** Undoes header folding (RFC 5322 §2.2.3): a line break followed by white space becomes one space. */
    static String unfold(String value) {
        if (value == null) {
            return "";
        }
        String unfolded = FOLD.matcher(value).replaceAll(" ");
        return STRAY_LINE_BREAK.matcher(unfolded).replaceAll("").strip();
    }

    /**
     * Decodes RFC 2047 encoded words; text that cannot be decoded stays as it was. Many mailers write
     * adjacent encoded words without the white space RFC 2047 asks for, which jakarta.mail's default
     * strict decoding leaves half decoded; white space between encoded words is dropped on decoding,
     * so inserting it is harmless.
     */
    static String decodeWords(String value) {
        String unfolded = unfold(value);
        if (!unfolded.contains("=?")) {
            return unfolded;
        }
        try {
            return MimeUtility.decodeText(ADJACENT_ENCODED_WORDS.matcher(unfolded).replaceAll("?= =?"));
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return unfolded;
        }
    }

    /**
     * Recovers raw UTF-8 (RFC 6532) in headers of body parts: jakarta.mail reads those bytes one
     * char per byte unless {@code mail.mime.allowutf8} is set JVM-wide. A string that is not valid
     * UTF-8 once turned back into bytes was real ISO-8859-1 text and is kept as it is.
     */
    static String repairRawUtf8(String value) {
        boolean highBytes = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF) {
                return value;
            }
            highBytes |= c >= 0x80;
        }
        if (!highBytes) {
            return value;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException e) {
            return value;
        }
    }
}
