package org.emaillistener.secondary.mime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A part's base64 text that is already what Creatio's {@code Base64Data} must be once its line breaks
 * are taken out, so it is copied rather than decoded and encoded again. Only text that decodes to the
 * same bytes under any decoder qualifies: nothing but the base64 alphabet and line breaks, padding
 * only at the end and making the length a multiple of four, and zero bits where the last character
 * has more bits than the data. Anything else (white space, stray characters, text after the padding,
 * a truncated or non-canonical end) is decoded by jakarta.mail as before.
 */
final class CleanBase64 {

    private static final boolean[] ALPHABET = new boolean[256];
    private static final int[] VALUE = new int[256];

    static {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            ALPHABET[alphabet.charAt(i)] = true;
            VALUE[alphabet.charAt(i)] = i;
        }
    }

    private CleanBase64() {
    }

    /** The length of the decoded content if {@code text} is clean base64, else -1. */
    static long decodedSize(InputStream text) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long characters = 0;
        int padding = 0;
        int last = 'A';
        for (int read; (read = text.read(buffer)) > 0; ) {
            for (int i = 0; i < read; i++) {
                int b = buffer[i] & 0xFF;
                if (b == '\r' || b == '\n') {
                    continue;
                }
                if (b == '=') {
                    padding++;
                } else if (!ALPHABET[b] || padding > 0) {
                    return -1;
                } else {
                    last = b;
                }
                characters++;
            }
        }
        if (characters % 4 != 0 || padding > 2) {
            return -1;
        }
        int unusedBits = padding == 1 ? 0b11 : padding == 2 ? 0b1111 : 0;
        if ((VALUE[last] & unusedBits) != 0) {
            return -1;
        }
        return characters / 4 * 3 - padding;
    }

    /** The text without its line breaks; only for text {@link #decodedSize} found clean. */
    static InputStream withoutLineBreaks(InputStream text) {
        return new FilterInputStream(text) {

            @Override
            public int read() throws IOException {
                int b;
                do {
                    b = in.read();
                } while (b == '\r' || b == '\n');
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int kept;
                do {
                    int read = in.read(buffer, offset, length);
                    if (read < 0) {
                        return -1;
                    }
                    // The lines between the breaks are moved up whole.
                    kept = offset;
                    int line = offset;
                    int end = offset + read;
                    for (int i = offset; i < end; i++) {
                        byte b = buffer[i];
                        if (b == '\r' || b == '\n') {
                            System.arraycopy(buffer, line, buffer, kept, i - line);
                            kept += i - line;
                            line = i + 1;
                        }
                    }
                    System.arraycopy(buffer, line, buffer, kept, end - line);
                    kept += end - line - offset;
                } while (kept == 0 && length > 0);
                return kept;
            }

            @Override
            public long skip(long n) throws IOException {
                // The text's own skip would count the line breaks.
                byte[] scratch = new byte[(int) Math.clamp(n, 0, 8192)];
                long skipped = 0;
                for (int read; skipped < n
                        && (read = read(scratch, 0, (int) Math.min(n - skipped, scratch.length))) > 0; ) {
                    skipped += read;
                }
                return skipped;
            }
        };
    }
}
