package org.emaillistener.secondary.mime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.mail.internet.MimeUtility;

/** Turns the bytes of a text part into text whatever charset the part claims, never failing. */
final class LenientCharset {

    /** The WHATWG Encoding Standard reads the label ISO-8859-1 as windows-1252, as every browser does. */
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private LenientCharset() {
    }

    /**
     * Decodes with the declared charset when Java knows it; otherwise as UTF-8 if the bytes are valid
     * UTF-8, else as ISO-8859-1, which maps every byte. NUL characters are dropped: Creatio stores the
     * text in a database, and PostgreSQL refuses NUL in text columns.
     */
    static String decode(byte[] bytes, String declaredCharset) {
        return decodeWithFallback(bytes, declaredCharset).replace("\0", "");
    }

    private static String decodeWithFallback(byte[] bytes, String declaredCharset) {
        Charset charset = lookup(declaredCharset);
        // "us-ascii" is the MIME default and often stands on 8-bit text, which is then mostly UTF-8.
        if (charset != null && !(charset.equals(StandardCharsets.US_ASCII) && !isAscii(bytes))) {
            return new String(bytes, charset.equals(StandardCharsets.ISO_8859_1) ? WINDOWS_1252 : charset);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static Charset lookup(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        try {
            return Charset.forName(name.strip());
        } catch (IllegalArgumentException unknownToJava) {
            // jakarta.mail knows a few MIME names Java does not; it is not asked first because it
            // reads us-ascii as ISO-8859-1, which would hide 8-bit text mislabelled as ASCII.
            try {
                return Charset.forName(MimeUtility.javaCharset(name.strip()));
            } catch (IllegalArgumentException unknown) {
                return null;
            }
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
