package org.emaillistener.common.creatio;

import java.util.List;

/**
 * Creatio's Email, as delivered in {@code ProcessFullEmail} and received by {@code /apiv2/email/send}.
 * {@code Recepients} is the wire spelling. Creatio's DataContractJsonSerializer turns a missing list
 * into null and later crashes on it, so every list is sent, empty if there is nothing, and strings
 * are never null.
 */
public record Email(
        String Id,
        String Subject,
        String Body,
        String Sender,
        List<String> Recepients,
        List<String> CopyRecepients,
        List<String> BlindCopyRecepients,
        List<String> Headers,
        int Importance,
        boolean IsHtmlBody,
        List<EmailAttachment> Attachments,
        long SendDateTimeStamp,
        String MessageId,
        String InReplyTo,
        String References) {

    /** This email with other attachments, every other member as it is. */
    public Email withAttachments(List<EmailAttachment> attachments) {
        return new Email(Id, Subject, Body, Sender, Recepients, CopyRecepients, BlindCopyRecepients, Headers,
                Importance, IsHtmlBody, attachments, SendDateTimeStamp, MessageId, InReplyTo, References);
    }

    public static final int IMPORTANCE_NONE = 0;
    public static final int IMPORTANCE_NORMAL = 1;
    public static final int IMPORTANCE_HIGH = 2;
    public static final int IMPORTANCE_LOW = 3;

    public Email {
        Id = orEmpty(Id);
        Subject = orEmpty(Subject);
        Body = orEmpty(Body);
        Sender = orEmpty(Sender);
        Recepients = listOrEmpty(Recepients);
        CopyRecepients = listOrEmpty(CopyRecepients);
        BlindCopyRecepients = listOrEmpty(BlindCopyRecepients);
        Headers = listOrEmpty(Headers);
        Attachments = listOrEmpty(Attachments);
        MessageId = orEmpty(MessageId);
        InReplyTo = orEmpty(InReplyTo);
        References = orEmpty(References);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
