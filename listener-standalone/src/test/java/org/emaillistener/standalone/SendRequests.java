package org.emaillistener.standalone;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.testing.CreatioRequests;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bodies of {@code /apiv2/email/send} as Creatio writes them: ordinary quoted JSON,
 * {@code {"Email":…,"Attachments":null,"Credentials":…}}, attachments inside the Email.
 */
final class SendRequests {

    static final String ENDPOINT = "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SendRequests() {
    }

    /** A plain-text email with every field Creatio sends, from {@code sender} to {@code to}. */
    static ObjectNode email(String sender, String to, String subject) {
        ObjectNode email = JSON.createObjectNode();
        email.put("Id", UUID.randomUUID().toString());
        email.put("Subject", subject);
        email.put("Body", "Hello from " + subject);
        email.put("Sender", sender);
        email.putArray("Recepients").add(to);
        email.putArray("CopyRecepients");
        email.putArray("BlindCopyRecepients");
        email.putArray("Headers");
        email.put("Importance", 1);
        email.put("IsHtmlBody", false);
        email.putArray("Attachments");
        email.put("SendDateTimeStamp", 0L);
        email.put("MessageId", "");
        email.put("InReplyTo", "");
        email.put("References", "");
        return email;
    }

    static void addAttachment(ObjectNode email, String id, String name, String base64, boolean inline) {
        ObjectNode attachment = ((ArrayNode) email.get("Attachments")).addObject();
        attachment.put("Id", id);
        attachment.put("Name", name);
        attachment.put("Base64Data", base64);
        attachment.put("IsInline", inline);
    }

    /** The outgoing server of a mailbox, password login, plain SMTP (SecureOption None). */
    static ObjectNode smtp(UUID mailbox, String host, int port, String user, String password) {
        return (ObjectNode) CreatioJson.mapper().readTree(
                CreatioRequests.imapMailbox(mailbox, host, port, user, password, ENDPOINT, List.of()));
    }

    static String body(ObjectNode email, ObjectNode credentials) {
        ObjectNode body = JSON.createObjectNode();
        body.set("Email", email);
        body.putNull("Attachments");
        body.set("Credentials", credentials);
        return JSON.writeValueAsString(body);
    }

    /**
     * A send request as Creatio makes it for an HTML email to one recipient with one blind copy,
     * through the mailbox in {@code credentials} (Creatio's unquoted dialect).
     */
    static String htmlEmail(String sender, String subject, String to, String blindCopy, String credentials) {
        return "{\"Email\":{\"Subject\":\"" + subject + "\",\"Body\":\"<p>Hi</p>\",\"IsHtmlBody\":true,"
                + "\"Sender\":\"" + sender + "\",\"Recepients\":[\"" + to + "\"],\"CopyRecepients\":[],"
                + "\"BlindCopyRecepients\":[\"" + blindCopy + "\"],\"Importance\":1,\"Attachments\":[],"
                + "\"Headers\":[]},\"Attachments\":null,\"Credentials\":" + credentials + "}";
    }

    /** A sent message's MIME, read back. */
    static MimeMessage parse(byte[] mime) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
    }
}
