package org.emaillistener.secondary.mime;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.StreamedAttachment;

/**
 * A message converted to Creatio's Email whose attachments are still in the message they came in:
 * {@code email} has no attachments of its own, {@code attachments} are read from the message when
 * they are written. Close it once the email has been delivered.
 */
public final class ConvertedEmail implements AutoCloseable {

    private final Email email;
    private final List<StreamedAttachment> attachments;
    private final Closeable message;

    ConvertedEmail(Email email, List<StreamedAttachment> attachments, Closeable message) {
        this.email = email;
        this.attachments = List.copyOf(attachments);
        this.message = message;
    }

    public Email email() {
        return email;
    }

    public List<StreamedAttachment> attachments() {
        return attachments;
    }

    @Override
    public void close() {
        try {
            message.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
