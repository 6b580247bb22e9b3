package org.emaillistener.common.creatio;

import java.io.IOException;
import java.io.InputStream;

/**
 * An attachment of Creatio's Email whose content is read only while the callback body is written,
 * so that a large file is never held in the heap whole (nor as its Base64 text). The wire fields are
 * those of {@link EmailAttachment}; {@code Base64Data} is encoded from {@code content} on the fly.
 */
public record StreamedAttachment(String Id, String Name, boolean IsInline, Content content) {

    public StreamedAttachment {
        Id = Id == null ? "" : Id;
        Name = Name == null ? "" : Name;
    }

    /** The attachment's decoded bytes; may be opened more than once. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;

        /**
         * The attachment already as {@code Base64Data} (standard alphabet, padded, no line breaks), as
         * ASCII, when it is at hand without decoding: a part sent in clean base64 is copied rather
         * than decoded and encoded again. Null when it has to be encoded from {@link #open()}.
         */
        default InputStream openBase64() throws IOException {
            return null;
        }
    }
}
