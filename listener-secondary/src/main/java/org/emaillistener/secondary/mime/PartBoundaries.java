package org.emaillistener.secondary.mime;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the body parts of a multipart in its bytes, read in large blocks, where jakarta.mail's
 * {@code MimeMultipart.parse} reads a spooled message with a mark, reset, skip and single-byte read
 * per step of its search. The parts are the byte ranges jakarta.mail would give, with its leniency:
 * a preamble before the first boundary and text after the closing one are skipped, a missing closing
 * boundary ends the last part at the end of the data, white space may follow a boundary, lines may
 * end in CRLF, LF or a bare CR, and a boundary line counts only where {@code --boundary} follows a
 * line end (or opens a part's content) and is followed by {@code --} or a line end. Where the data is
 * odd in a way jakarta.mail handles by throwing or by details of its buffering (no start boundary, a
 * closing boundary before any part, a very long boundary or run of white space after one), the
 * answer is null and jakarta.mail parses it itself.
 */
final class PartBoundaries {

    /** RFC 2046 allows 70 characters; a longer boundary is left to jakarta.mail. */
    private static final int MAX_BOUNDARY = 1000;

    /**
     * jakarta.mail marks its stream for the boundary and 1,000 more bytes: what it does with longer
     * white space after a boundary depends on its buffering, so that is left to it.
     */
    private static final int MAX_PADDING = 900;

    /** Bytes kept before the furthest one read: a boundary, its padding and its line ends. */
    private static final int KEPT = MAX_BOUNDARY + MAX_PADDING + 64;

    private static final int BLOCK = 64 * 1024;
    private static final int MIN_BLOCK = 2 * KEPT + 1024;

    /**
     * The parts found, as {@code [start, end)} positions relative to where the data starts.
     *
     * @param complete whether the closing boundary was found
     */
    record Parts(List<long[]> ranges, boolean complete) {
    }

    private final Block data;
    private final byte[] boundary;
    private final int[] shift = new int[256];

    private PartBoundaries(InputStream in, byte[] boundary) throws IOException {
        this.data = new Block(in);
        this.boundary = boundary;
        // Boyer-Moore-Horspool: how far the boundary may move on, given the byte under its last one.
        Arrays.fill(shift, boundary.length);
        for (int i = 0; i < boundary.length - 1; i++) {
            shift[boundary[i] & 0xFF] = boundary.length - 1 - i;
        }
    }

    /**
     * The parts of the multipart whose content {@code in} reads, separated by {@code --}{@code parameter};
     * null where jakarta.mail is to parse it.
     *
     * @param parameter the boundary parameter of the Content-Type; null if there is none
     */
    static Parts find(InputStream in, String parameter) throws IOException {
        if (parameter == null || parameter.length() + 2 > MAX_BOUNDARY) {
            return null;
        }
        byte[] boundary = new byte[parameter.length() + 2];
        boundary[0] = '-';
        boundary[1] = '-';
        for (int i = 0; i < parameter.length(); i++) {
            char c = parameter.charAt(i);
            // jakarta.mail compares the boundary as ISO-8859-1 and reads lines as such unless told
            // to read UTF-8; printable ASCII is the same either way.
            if (c < 0x20 || c > 0x7E) {
                return null;
            }
            boundary[i + 2] = (byte) c;
        }
        return new PartBoundaries(in, boundary).parts();
    }

    private Parts parts() throws IOException {
        long position = afterStartBoundary();
        if (position < 0) {
            return null;
        }
        List<long[]> ranges = new ArrayList<>();
        while (true) {
            long start = position;
            // The part's header block, up to its empty line: without one the part is dropped.
            long line;
            do {
                line = position;
                position = data.nextLine(position);
                if (position < 0) {
                    return new Parts(ranges, false);
                }
            } while (data.lineEnd > line);
            long contentStart = position;
            for (long from = contentStart; ; ) {
                long found = find(from);
                if (found < 0) {
                    ranges.add(new long[] { start, data.length() });
                    return new Parts(ranges, false);
                }
                int lineEnd = lineEndBefore(found, contentStart);
                if (lineEnd < 0) {
                    from = found + 1;
                    continue;
                }
                long after = found + boundary.length;
                if (data.at(after) == '-') {
                    if (data.at(after + 1) == '-') {
                        ranges.add(new long[] { start, found - lineEnd });
                        return new Parts(ranges, true);
                    }
                    from = found + 1;
                    continue;
                }
                long padded = after;
                while (data.at(padded) == ' ' || data.at(padded) == '\t') {
                    if (++padded - after > MAX_PADDING) {
                        return null;
                    }
                }
                int end = data.at(padded);
                if (end == '\n') {
                    position = padded + 1;
                } else if (end == '\r') {
                    position = data.at(padded + 1) == '\n' ? padded + 2 : padded + 1;
                } else {
                    from = found + 1;
                    continue;
                }
                ranges.add(new long[] { start, found - lineEnd });
                break;
            }
        }
    }

    /**
     * The position after the first line that is the boundary, white space at its end aside; -1 if
     * there is none, or the closing boundary comes first (jakarta.mail throws for both).
     */
    private long afterStartBoundary() throws IOException {
        for (long position = 0; ; ) {
            long next = data.nextLine(position);
            if (next < 0) {
                return -1;
            }
            long end = data.lineEnd;
            while (end > position && (data.at(end - 1) == ' ' || data.at(end - 1) == '\t')) {
                end--;
            }
            if (end - position == boundary.length && matches(position)) {
                return next;
            }
            if (end - position == boundary.length + 2 && matches(position) && data.at(end - 2) == '-'
                    && data.at(end - 1) == '-') {
                return -1;
            }
            position = next;
        }
    }

    private boolean matches(long position) throws IOException {
        for (int i = 0; i < boundary.length; i++) {
            if (data.at(position + i) != (boundary[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of the line end just before a boundary found at {@code found}, as jakarta.mail
     * counts it: 0 where the boundary opens the content, 1 for CR or LF, 2 for CRLF (only where the
     * CR is part of the content), -1 where no line end precedes it.
     */
    private int lineEndBefore(long found, long contentStart) throws IOException {
        if (found == contentStart) {
            return 0;
        }
        int previous = data.at(found - 1);
        if (previous != '\r' && previous != '\n') {
            return -1;
        }
        return previous == '\n' && found - 2 >= contentStart && data.at(found - 2) == '\r' ? 2 : 1;
    }

    /** The position of the next occurrence of the boundary at or after {@code from}; -1 if the data ends first. */
    private long find(long from) throws IOException {
        int length = boundary.length;
        byte last = boundary[length - 1];
        long position = from;
        while (true) {
            if (!data.load(position + length - 1)) {
                return -1;
            }
            byte[] bytes = data.bytes;
            int i = (int) (position - data.base);
            int stop = data.limit - length;
            while (i <= stop) {
                byte b = bytes[i + length - 1];
                if (b == last) {
                    // Compared by hand: a call to Arrays.equals costs more than the few bytes it compares.
                    int j = length - 2;
                    while (j >= 0 && bytes[i + j] == boundary[j]) {
                        j--;
                    }
                    if (j < 0) {
                        return data.base + i;
                    }
                }
                i += shift[b & 0xFF];
            }
            position = data.base + i;
        }
    }

    /**
     * The data read in blocks, with the last {@value #KEPT} bytes before the furthest position read
     * still at hand: a part's content is never held whole.
     */
    private static final class Block {

        private final InputStream in;
        byte[] bytes;
        /** The position of {@code bytes[0]}. */
        long base;
        int limit;
        private boolean ended;
        /** Where the content of the line read by {@link #nextLine} ends, before its line end. */
        long lineEnd;

        Block(InputStream in) throws IOException {
            this.in = in;
            // No bigger than the data where it says how much there is: most multiparts are small.
            this.bytes = new byte[Math.clamp(in.available() + 1L, MIN_BLOCK, BLOCK)];
        }

        /** The byte at {@code position}, or -1 past the end. */
        int at(long position) throws IOException {
            long i = position - base;
            if (i < 0) {
                throw new IllegalStateException("position " + position + " is no longer at hand");
            }
            if (i < limit || load(position)) {
                return bytes[(int) (position - base)] & 0xFF;
            }
            return -1;
        }

        /** Reads until {@code position} is at hand; false if the data ends before it. */
        boolean load(long position) throws IOException {
            while (position >= base + limit) {
                if (ended) {
                    return false;
                }
                int drop = (int) Math.min(limit, Math.max(0, position - KEPT - base));
                if (drop > 0) {
                    System.arraycopy(bytes, drop, bytes, 0, limit - drop);
                    base += drop;
                    limit -= drop;
                }
                int read = in.read(bytes, limit, bytes.length - limit);
                if (read < 0) {
                    ended = true;
                } else {
                    limit += read;
                }
            }
            return true;
        }

        /** The data's length; only once it has been read to its end. */
        long length() {
            return base + limit;
        }

        /**
         * The start of the line after the one at {@code position}, its content ending at
         * {@link #lineEnd}, with Angus's {@code LineInputStream}'s line ends: LF, CRLF, CR CR LF or a
         * bare CR; -1 if the data ends at {@code position}.
         */
        long nextLine(long position) throws IOException {
            long i = position;
            int c;
            while ((c = at(i)) >= 0 && c != '\n' && c != '\r') {
                i++;
            }
            lineEnd = i;
            if (c < 0) {
                return i == position ? -1 : i;
            }
            if (c == '\n') {
                return i + 1;
            }
            int next = at(i + 1);
            if (next == '\n') {
                return i + 2;
            }
            return next == '\r' && at(i + 2) == '\n' ? i + 3 : i + 1;
        }
    }
}
