package org.emaillistener.common.testing;

import java.util.LinkedHashSet;
import java.util.Set;

import org.w3c.dom.Element;

/**
 * An ItemShape or FolderShape: the BaseShape and the AdditionalProperties' FieldURIs. The base
 * shapes include what Exchange's include for messages and folders (of what the fake stores).
 */
record EwsShape(String baseShape, Set<String> additional) {

    private static final Set<String> DEFAULT_ITEM = Set.of("item:ItemId", "item:ParentFolderId", "item:ItemClass",
            "item:Subject", "item:DateTimeReceived", "item:Size", "item:DateTimeSent", "item:DateTimeCreated",
            "item:HasAttachments", "message:From", "message:IsRead");
    private static final Set<String> ALL_ITEM = Set.of("item:ItemId", "item:ParentFolderId", "item:ItemClass",
            "item:Subject", "item:DateTimeReceived", "item:Size", "item:Categories", "item:DateTimeSent",
            "item:DateTimeCreated", "item:HasAttachments", "message:From", "message:InternetMessageId",
            "message:IsRead");
    private static final Set<String> DEFAULT_FOLDER = Set.of("folder:DisplayName", "folder:TotalCount",
            "folder:ChildFolderCount", "folder:UnreadCount");
    private static final Set<String> ALL_FOLDER = Set.of("folder:ParentFolderId", "folder:FolderClass",
            "folder:DisplayName", "folder:TotalCount", "folder:ChildFolderCount", "folder:UnreadCount");

    static final EwsShape ID_ONLY = new EwsShape("IdOnly", Set.of());

    static EwsShape parse(Element shape) {
        if (shape == null) {
            return ID_ONLY;
        }
        Element base = EwsDom.child(shape, EwsXmlWriter.TYPES, "BaseShape");
        Set<String> fields = new LinkedHashSet<>();
        Element additional = EwsDom.child(shape, EwsXmlWriter.TYPES, "AdditionalProperties");
        if (additional != null) {
            for (Element field : EwsDom.children(additional, EwsXmlWriter.TYPES, "FieldURI")) {
                fields.add(field.getAttribute("FieldURI"));
            }
        }
        return new EwsShape(base == null ? "IdOnly" : base.getTextContent().trim(), fields);
    }

    boolean wants(String fieldUri) {
        if (additional.contains(fieldUri)) {
            return true;
        }
        return switch (baseShape) {
            case "Default" -> DEFAULT_ITEM.contains(fieldUri) || DEFAULT_FOLDER.contains(fieldUri);
            case "AllProperties" -> ALL_ITEM.contains(fieldUri) || ALL_FOLDER.contains(fieldUri);
            default -> false;
        };
    }
}
