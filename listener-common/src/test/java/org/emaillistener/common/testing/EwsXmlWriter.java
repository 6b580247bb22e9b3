package org.emaillistener.common.testing;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Writes the SOAP that Exchange 2016 writes, byte for byte where it matters to a parser: the
 * envelope and header of ordinary responses ({@code s:Envelope}, {@code h:ServerVersionInfo}), the
 * odd envelope of GetStreamingEvents ({@code <Envelope xmlns=...><soap11:Header ...>}, captured
 * from Exchange 2016 CU), response messages with MessageText/ResponseCode/DescriptiveLinkKey in
 * schema order, and {@code t:Message}/{@code t:Folder} elements with their properties in the order
 * of types.xsd. No whitespace between elements, as Exchange.
 */
final class EwsXmlWriter {

    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String MESSAGES = "http://schemas.microsoft.com/exchange/services/2006/messages";
    static final String TYPES = "http://schemas.microsoft.com/exchange/services/2006/types";
    static final String ERRORS = "http://schemas.microsoft.com/exchange/services/2006/errors";
    static final String AUTODISCOVER = "http://schemas.microsoft.com/exchange/2010/Autodiscover";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    static final String XSD = "http://www.w3.org/2001/XMLSchema";
    static final String ADDRESSING = "http://www.w3.org/2005/08/addressing";

    /** Exchange 2016 CU23 (15.1.2507.x), schema version V2017_07_11. */
    static final int MAJOR_VERSION = 15;
    static final int MINOR_VERSION = 1;
    static final int MAJOR_BUILD = 2507;
    static final int MINOR_BUILD = 6;
    static final String SCHEMA_VERSION = "V2017_07_11";

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ISO_INSTANT;

    private final StringBuilder out = new StringBuilder(1024);
    private final Deque<String> open = new ArrayDeque<>();

    /** Opens an element; {@code attributes} are name/value pairs, a null value leaves the pair out. */
    EwsXmlWriter start(String name, String... attributes) {
        out.append('<').append(name);
        attributes(attributes);
        out.append('>');
        open.push(name);
        return this;
    }

    EwsXmlWriter end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    EwsXmlWriter empty(String name, String... attributes) {
        out.append('<').append(name);
        attributes(attributes);
        out.append("/>");
        return this;
    }

    /** An element with text content; a null text writes nothing at all. */
    EwsXmlWriter leaf(String name, Object text, String... attributes) {
        if (text == null) {
            return this;
        }
        start(name, attributes);
        escape(text.toString(), false);
        return end();
    }

    EwsXmlWriter with(Consumer<EwsXmlWriter> content) {
        content.accept(this);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    static String dateTime(Instant instant) {
        return instant == null ? null : DATE_TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    // --- envelopes ---

    /**
     * An ordinary EWS response as Exchange 2013/2016 write it: XML declaration, {@code s:} envelope,
     * {@code h:ServerVersionInfo} header, and the body element in the messages namespace.
     */
    static String envelope(String responseElement, Consumer<EwsXmlWriter> responseMessages) {
        EwsXmlWriter xml = new EwsXmlWriter();
        xml.out.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.start("s:Envelope", "xmlns:s", SOAP)
                .start("s:Header")
                .empty("h:ServerVersionInfo", "MajorVersion", String.valueOf(MAJOR_VERSION),
                        "MinorVersion", String.valueOf(MINOR_VERSION),
                        "MajorBuildNumber", String.valueOf(MAJOR_BUILD),
                        "MinorBuildNumber", String.valueOf(MINOR_BUILD),
                        "Version", SCHEMA_VERSION,
                        "xmlns:h", TYPES, "xmlns", TYPES, "xmlns:xsd", XSD, "xmlns:xsi", XSI)
                .end()
                .start("s:Body", "xmlns:xsi", XSI, "xmlns:xsd", XSD)
                .start("m:" + responseElement, "xmlns:m", MESSAGES, "xmlns:t", TYPES)
                .start("m:ResponseMessages")
                .with(responseMessages)
                .end()
                .end()
                .end()
                .end();
        return xml.toString();
    }

    /**
     * One message of a GetStreamingEvents response. Exchange writes these with its own streaming
     * writer, not WCF's, and it shows: an unprefixed {@code Envelope}, {@code soap11:} prefixes
     * declared on Header and Body separately, an unprefixed ServerVersionInfo, no XML declaration.
     */
    static String streamingEnvelope(Consumer<EwsXmlWriter> responseMessage) {
        EwsXmlWriter xml = new EwsXmlWriter();
        xml.start("Envelope", "xmlns", SOAP)
                .start("soap11:Header", "xmlns:soap11", SOAP)
                .empty("ServerVersionInfo", "xmlns:xsd", XSD, "xmlns:xsi", XSI, "xmlns", TYPES,
                        "MajorVersion", String.valueOf(MAJOR_VERSION),
                        "MinorVersion", String.valueOf(MINOR_VERSION),
                        "MajorBuildNumber", String.valueOf(MAJOR_BUILD),
                        "MinorBuildNumber", String.valueOf(MINOR_BUILD),
                        "Version", SCHEMA_VERSION)
                .end()
                .start("soap11:Body", "xmlns:soap11", SOAP)
                .start("m:GetStreamingEventsResponse", "xmlns:xsd", XSD, "xmlns:xsi", XSI,
                        "xmlns:t", TYPES, "xmlns:m", MESSAGES)
                .start("m:ResponseMessages")
                .with(responseMessage)
                .end()
                .end()
                .end()
                .end();
        return xml.toString();
    }

    /**
     * A SOAP fault as Exchange sends it with HTTP 500 for request-level failures such as throttling
     * (ErrorServerBusy, with BackOffMilliseconds in MessageXml).
     */
    static String fault(String responseCode, String message, Long backOffMillis) {
        EwsXmlWriter xml = new EwsXmlWriter();
        xml.out.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.start("s:Envelope", "xmlns:s", SOAP)
                .start("s:Header")
                .empty("h:ServerVersionInfo", "MajorVersion", String.valueOf(MAJOR_VERSION),
                        "MinorVersion", String.valueOf(MINOR_VERSION),
                        "MajorBuildNumber", String.valueOf(MAJOR_BUILD),
                        "MinorBuildNumber", String.valueOf(MINOR_BUILD),
                        "Version", SCHEMA_VERSION,
                        "xmlns:h", TYPES, "xmlns", TYPES, "xmlns:xsd", XSD, "xmlns:xsi", XSI)
                .end()
                .start("s:Body")
                .start("s:Fault")
                .leaf("faultcode", "a:" + responseCode, "xmlns:a", TYPES)
                .leaf("faultstring", message, "xml:lang", "en-US")
                .start("detail")
                .leaf("e:ResponseCode", responseCode, "xmlns:e", ERRORS)
                .leaf("e:Message", message, "xmlns:e", ERRORS);
        if (backOffMillis != null) {
            xml.start("t:MessageXml", "xmlns:t", TYPES)
                    .leaf("t:Value", backOffMillis, "Name", "BackOffMilliseconds")
                    .end();
        }
        xml.end().end().end().end();
        return xml.toString();
    }

    // --- response messages ---

    /** {@code <m:XResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>...}. */
    EwsXmlWriter success(String messageElement, Consumer<EwsXmlWriter> content) {
        start("m:" + messageElement, "ResponseClass", "Success");
        leaf("m:ResponseCode", "NoError");
        content.accept(this);
        return end();
    }

    /**
     * An error response message. ServiceResponse in ews-java-api (and the schema) require
     * MessageText, ResponseCode, DescriptiveLinkKey in this order.
     */
    EwsXmlWriter error(String messageElement, String responseCode, Consumer<EwsXmlWriter> extra) {
        start("m:" + messageElement, "ResponseClass", "Error");
        leaf("m:MessageText", EwsErrors.messageText(responseCode));
        leaf("m:ResponseCode", responseCode);
        leaf("m:DescriptiveLinkKey", 0);
        extra.accept(this);
        return end();
    }

    // --- items and folders ---

    /** A {@code t:Message} with the properties the shape asks for, in types.xsd order. */
    EwsXmlWriter message(FakeMailboxStore.Item item, EwsShape shape) {
        start("t:Message");
        if (shape.wants("item:MimeContent")) {
            leaf("t:MimeContent", base64(item.mime), "CharacterSet", "UTF-8");
        }
        empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey());
        if (shape.wants("item:ParentFolderId")) {
            empty("t:ParentFolderId", "Id", item.folder.id, "ChangeKey", item.folder.changeKey());
        }
        if (shape.wants("item:ItemClass")) {
            leaf("t:ItemClass", "IPM.Note");
        }
        if (shape.wants("item:Subject")) {
            leaf("t:Subject", item.subject);
        }
        if (shape.wants("item:DateTimeReceived")) {
            leaf("t:DateTimeReceived", dateTime(item.received));
        }
        if (shape.wants("item:Size")) {
            leaf("t:Size", item.mime.length);
        }
        // Exchange leaves Categories out when there are none, even when asked for.
        if (shape.wants("item:Categories") && !item.categories.isEmpty()) {
            start("t:Categories");
            item.categories.forEach(category -> leaf("t:String", category));
            end();
        }
        if (shape.wants("item:DateTimeSent")) {
            leaf("t:DateTimeSent", dateTime(item.sent != null ? item.sent : item.received));
        }
        if (shape.wants("item:DateTimeCreated")) {
            leaf("t:DateTimeCreated", dateTime(item.received));
        }
        if (shape.wants("item:HasAttachments")) {
            leaf("t:HasAttachments", item.hasAttachments);
        }
        if (shape.wants("message:From") && item.from != null) {
            start("t:From").start("t:Mailbox")
                    .leaf("t:Name", item.from.getPersonal() != null ? item.from.getPersonal() : item.from.getAddress())
                    .leaf("t:EmailAddress", item.from.getAddress())
                    .leaf("t:RoutingType", "SMTP")
                    .leaf("t:MailboxType", "OneOff")
                    .end().end();
        }
        if (shape.wants("message:InternetMessageId")) {
            leaf("t:InternetMessageId", item.internetMessageId);
        }
        if (shape.wants("message:IsRead")) {
            leaf("t:IsRead", item.read);
        }
        return end();
    }

    /**
     * A folder, as the element Exchange uses for its class (CalendarFolder, ContactsFolder,
     * TasksFolder, else Folder); only mail and task folders carry UnreadCount.
     */
    EwsXmlWriter folder(FakeMailboxStore.Folder folder, EwsShape shape) {
        String element = folderElement(folder.folderClass);
        start("t:" + element);
        empty("t:FolderId", "Id", folder.id, "ChangeKey", folder.changeKey());
        if (shape.wants("folder:ParentFolderId") && folder.parent != null) {
            empty("t:ParentFolderId", "Id", folder.parent.id, "ChangeKey", folder.parent.changeKey());
        }
        if (shape.wants("folder:FolderClass")) {
            leaf("t:FolderClass", folder.folderClass);
        }
        if (shape.wants("folder:DisplayName")) {
            leaf("t:DisplayName", folder.displayName);
        }
        if (shape.wants("folder:TotalCount")) {
            leaf("t:TotalCount", folder.items().size());
        }
        if (shape.wants("folder:ChildFolderCount")) {
            leaf("t:ChildFolderCount", folder.children.size());
        }
        if (shape.wants("folder:UnreadCount") && ("Folder".equals(element) || "TasksFolder".equals(element))) {
            leaf("t:UnreadCount", folder.items().stream().filter(item -> !item.read).count());
        }
        return end();
    }

    static String folderElement(String folderClass) {
        if (folderClass == null) {
            return "Folder";
        }
        if (folderClass.startsWith("IPF.Appointment")) {
            return "CalendarFolder";
        }
        if (folderClass.startsWith("IPF.Contact")) {
            return "ContactsFolder";
        }
        if (folderClass.startsWith("IPF.Task")) {
            return "TasksFolder";
        }
        return "Folder";
    }

    private void attributes(String... attributes) {
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            if (attributes[i + 1] == null) {
                continue;
            }
            out.append(' ').append(attributes[i]).append("=\"");
            escape(attributes[i + 1], true);
            out.append('"');
        }
    }

    private void escape(String text, boolean attribute) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                default -> out.append(c);
            }
        }
    }
}
