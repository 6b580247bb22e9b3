package org.emaillistener.secondary.mime;

import java.util.Arrays;

/**
 * Decodes quoted-printable text held in memory at once, giving what Angus Mail's
 * {@code QPDecoderStream} gives, which decodes a byte per call: {@code =XX} in either case is the
 * byte, {@code =} before LF, CRLF or a bare CR is a soft line break, spaces before a line end or the
 * end of the text are dropped (tabs are kept), {@code =} followed by anything else is kept as it is
 * and what follows it read as text, and {@code =} at the very end ends the text. Where Angus's result
 * depends on details of its stream ({@code =-} reads as a signed number, {@code =X} or {@code =CR} at
 * the end is padded with a byte 0xFF), the answer is null and the text is left to Angus.
 */
final class QuotedPrintable {

    private QuotedPrintable() {
    }

    /**
     * The spaces right before {@code end} in the text, which were copied and are dropped: every space
     * of the text is copied as it is (none is part of an {@code =XX} or a soft line break), and a
     * run of them is cut only where a line end or the end of the text follows it.
     */
    private static int spacesBefore(byte[] text, int end) {
        int start = end;
        while (start > 0 && text[start - 1] == ' ') {
            start--;
        }
        return end - start;
    }

    /** The decoded bytes, or null where Angus's decoder is to decode them. */
    static byte[] decode(byte[] text) {
        byte[] decoded = new byte[text.length];
        int length = text.length;
        int out = 0;
        int i = 0;
        while (i < length) {
            byte c = text[i];
            if (c == '\r' || c == '\n') {
                out -= spacesBefore(text, i);
                decoded[out++] = c;
                i++;
            } else if (c != '=') {
                decoded[out++] = c;
                i++;
            } else if (i + 1 == length) {
                return Arrays.copyOf(decoded, out);
            } else {
                byte first = text[i + 1];
                if (first == '\n') {
                    i += 2;
                } else if (first == '\r') {
                    if (i + 2 == length) {
                        return null;
                    }
                    i += text[i + 2] == '\n' ? 3 : 2;
                } else if (i + 2 == length || first == '-') {
                    return null;
                } else {
                    int high = Character.digit(first, 16);
                    int low = Character.digit(text[i + 2], 16);
                    if (high >= 0 && low >= 0) {
                        decoded[out++] = (byte) (high << 4 | low);
                        i += 3;
                    } else {
                        decoded[out++] = '=';
                        i++;
                    }
                }
            }
        }
        out -= spacesBefore(text, length);
        return Arrays.copyOf(decoded, out);
    }
}
