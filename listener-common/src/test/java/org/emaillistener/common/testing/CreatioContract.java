package org.emaillistener.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * The callbacks as Creatio's {@code ExchangeListenerService} reads them: WCF's
 * DataContractJsonSerializer binds members by their exact, case-sensitive names (one spelled otherwise
 * is not read, and its value is lost), and fails the call on a value of another JSON type (a number as
 * a string, a string where an array belongs), which Creatio answers with 400. The listener's own
 * contract is stricter still, as docs/creatio-protocol.md gives it ("Two JSON dialects" and
 * "Callbacks the listener makes"): every list present (Creatio iterates them unchecked), enums as
 * numbers, .NET ticks as integral numbers, an email's {@code MessageId} never empty (Creatio drops
 * such an email), an attachment's {@code Base64Data} never null, and {@code ProcessMailboxState}
 * with {@code Avaliable=false} naming the exception.
 */
public final class CreatioContract {

    private enum Type { STRING, NULLABLE_STRING, BOOLEAN, INTEGER, ARRAY, OBJECT }

    private static final Map<String, Type> SUBSCRIPTION_INFO = Map.of("Id", Type.STRING, "SysAdminUnit",
            Type.NULLABLE_STRING, "MailboxId", Type.STRING, "WorkspaceName", Type.NULLABLE_STRING, "TimeZoneId",
            Type.NULLABLE_STRING, "EventTimeStamp", Type.INTEGER);
    private static final Map<String, Type> EMAIL = Map.ofEntries(Map.entry("Id", Type.NULLABLE_STRING),
            Map.entry("Subject", Type.NULLABLE_STRING), Map.entry("Body", Type.NULLABLE_STRING),
            Map.entry("Sender", Type.NULLABLE_STRING), Map.entry("Recepients", Type.ARRAY),
            Map.entry("CopyRecepients", Type.ARRAY), Map.entry("BlindCopyRecepients", Type.ARRAY),
            Map.entry("Headers", Type.ARRAY), Map.entry("Importance", Type.INTEGER),
            Map.entry("IsHtmlBody", Type.BOOLEAN), Map.entry("Attachments", Type.ARRAY),
            Map.entry("SendDateTimeStamp", Type.INTEGER), Map.entry("MessageId", Type.STRING),
            Map.entry("InReplyTo", Type.NULLABLE_STRING), Map.entry("References", Type.NULLABLE_STRING));
    private static final Map<String, Type> ATTACHMENT = Map.of("Id", Type.NULLABLE_STRING, "Name",
            Type.NULLABLE_STRING, "Base64Data", Type.STRING, "IsInline", Type.BOOLEAN);
    private static final Map<String, Type> MAILBOX_STATE = Map.of("MailboxId", Type.STRING, "SenderEmailAddress",
            Type.NULLABLE_STRING, "BpmUserName", Type.NULLABLE_STRING, "BpmUserWorkspace", Type.NULLABLE_STRING,
            "Avaliable", Type.BOOLEAN, "ExceptionClassName", Type.NULLABLE_STRING, "ExceptionMessage",
            Type.NULLABLE_STRING, "Context", Type.NULLABLE_STRING);
    private static final Map<String, Type> REFRESH_TOKEN = Map.of("MailboxId", Type.STRING, "SenderEmailAddress",
            Type.NULLABLE_STRING, "BpmUserName", Type.NULLABLE_STRING, "BpmUserWorkspace", Type.NULLABLE_STRING);

    /** {@code NewEmail}'s wrapped, camelCase event (docs/creatio-protocol.md, "NewEmail"). */
    private static final Map<String, Type> NEW_EVENT = Map.of("uniqueIds", Type.ARRAY, "id", Type.STRING,
            "sysAdminUnit", Type.NULLABLE_STRING, "workspaceName", Type.NULLABLE_STRING, "timeZoneId",
            Type.NULLABLE_STRING, "eventTimeStamp", Type.INTEGER);

    private CreatioContract() {
    }

    /** What in this callback Creatio would not read as the listener meant it; empty when all is well. */
    public static List<String> violations(String operation, JsonNode body) {
        List<String> found = new ArrayList<>();
        switch (operation) {
            case "ProcessFullEmail" -> {
                members(body, Map.of("Emails", Type.ARRAY, "SubscriptionInfo", Type.OBJECT), "", found);
                members(body.path("SubscriptionInfo"), SUBSCRIPTION_INFO, "SubscriptionInfo.", found);
                JsonNode emails = body.path("Emails");
                for (int i = 0; emails.isArray() && i < emails.size(); i++) {
                    email(emails.get(i), "Emails[" + i + "].", found);
                }
            }
            case "ProcessMailboxState" -> {
                members(body, MAILBOX_STATE, "", found);
                if (!body.path("Avaliable").asBoolean(true) && (body.path("ExceptionClassName").isNull()
                        || body.path("ExceptionMessage").isNull())) {
                    found.add("Avaliable=false without ExceptionClassName and ExceptionMessage");
                }
            }
            case "RefreshToken" -> members(body, REFRESH_TOKEN, "", found);
            case "NewEmail" -> {
                members(body, Map.of("newEvent", Type.OBJECT), "", found);
                members(body.path("newEvent"), NEW_EVENT, "newEvent.", found);
                JsonNode ids = body.path("newEvent").path("uniqueIds");
                if (ids.isArray() && (ids.isEmpty() || ids.valueStream().anyMatch(id -> !id.isString()
                        || id.asString().isBlank()))) {
                    found.add("newEvent.uniqueIds must hold the new items' ids, each a non-empty string");
                }
            }
            default -> found.add("no such operation: " + operation);
        }
        return found;
    }

    private static void email(JsonNode email, String at, List<String> found) {
        members(email, EMAIL, at, found);
        if (email.path("MessageId").isString() && email.path("MessageId").asString().isBlank()) {
            found.add(at + "MessageId is empty: Creatio drops the email");
        }
        for (String list : List.of("Recepients", "CopyRecepients", "BlindCopyRecepients", "Headers")) {
            email.path(list).forEach(item -> {
                if (!item.isString()) {
                    found.add(at + list + " holds a " + item.getNodeType() + ", not a string");
                }
            });
        }
        JsonNode attachments = email.path("Attachments");
        for (int i = 0; attachments.isArray() && i < attachments.size(); i++) {
            members(attachments.get(i), ATTACHMENT, at + "Attachments[" + i + "].", found);
        }
    }

    /** Every member present, by its exact name, with its type; and no member Creatio does not know. */
    private static void members(JsonNode object, Map<String, Type> expected, String at, List<String> found) {
        if (!object.isObject()) {
            found.add(at + " is not an object");
            return;
        }
        expected.forEach((name, type) -> {
            JsonNode value = object.get(name);
            if (value == null) {
                found.add(at + name + " is missing");
            } else if (!fits(value, type)) {
                found.add(at + name + " is a " + value.getNodeType() + ", expected " + type);
            }
        });
        object.propertyNames().forEach(name -> {
            if (!expected.containsKey(name)) {
                found.add(at + name + " is not a member Creatio reads (a misspelling loses its value)");
            }
        });
    }

    private static boolean fits(JsonNode value, Type type) {
        return switch (type) {
            case STRING -> value.isString();
            case NULLABLE_STRING -> value.isString() || value.isNull();
            case BOOLEAN -> value.isBoolean();
            case INTEGER -> value.isIntegralNumber();
            case ARRAY -> value.isArray();
            case OBJECT -> value.isObject();
        };
    }
}
