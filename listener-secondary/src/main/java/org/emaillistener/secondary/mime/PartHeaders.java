package org.emaillistener.secondary.mime;

import java.io.IOException;
import java.io.InputStream;

import org.eclipse.angus.mail.util.LineInputStream;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;

/**
 * Reads a header block as {@link InternetHeaders#load(InputStream, boolean)} does, line for line, with
 * the same Angus {@link LineInputStream}. jakarta.mail 2.1 looks its line reader up through
 * {@code ServiceLoader} on every header block, scanning the class path each time: that was a sixth of
 * the time of converting a 20 KB message.
 */
final class PartHeaders {

    private PartHeaders() {
    }

    static InternetHeaders read(InputStream in, boolean allowUtf8) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        LineInputStream lines = new LineInputStream(in, allowUtf8);
        String previous = null;
        StringBuilder folded = new StringBuilder();
        boolean first = true;
        String line;
        try {
            do {
                line = lines.readLine();
                if (line != null && (line.startsWith(" ") || line.startsWith("\t"))) {
                    if (previous != null) {
                        folded.append(previous);
                        previous = null;
                    }
                    if (first) {
                        String trimmed = line.trim();
                        if (!trimmed.isEmpty()) {
                            folded.append(trimmed);
                        }
                    } else {
                        if (!folded.isEmpty()) {
                            folded.append("\r\n");
                        }
                        folded.append(line);
                    }
                } else {
                    if (previous != null) {
                        headers.addHeaderLine(previous);
                    } else if (!folded.isEmpty()) {
                        headers.addHeaderLine(folded.toString());
                        folded.setLength(0);
                    }
                    previous = line;
                }
                first = false;
            } while (line != null && !line.isEmpty());
        } catch (IOException e) {
            throw new MessagingException("Error in input stream", e);
        }
        return headers;
    }
}
