package org.emaillistener.common.creatio;

/**
 * An attachment of Creatio's Email. On inbound mail {@code Id} is the part's Content-ID (without
 * angle brackets): Creatio replaces {@code cid:<Id>} in the body with the stored file.
 * {@code Base64Data} is never null.
 */
public record EmailAttachment(String Id, String Name, String Base64Data, boolean IsInline) {

    public EmailAttachment {
        Id = Id == null ? "" : Id;
        Name = Name == null ? "" : Name;
        Base64Data = Base64Data == null ? "" : Base64Data;
    }
}
