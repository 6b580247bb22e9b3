package org.emaillistener.common.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.emaillistener.common.testing.FakeMailboxStore.ChangeKind;
import org.emaillistener.common.testing.FakeMailboxStore.Folder;
import org.emaillistener.common.testing.FakeMailboxStore.Item;
import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;
import org.emaillistener.common.testing.FakeNotifications.Event;
import org.emaillistener.common.testing.FakeNotifications.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * The EWS operations of {@link FakeExchange} that answer with one SOAP response: Subscribe,
 * Unsubscribe, SyncFolderItems, GetItem, FindItem, FindFolder, GetFolder, CreateItem, UpdateItem.
 * Changes to the mailboxes raise the events Exchange raises for them.
 */
final class EwsOperations {

    private static final Logger log = LoggerFactory.getLogger(EwsOperations.class);
    private static final String M = EwsXmlWriter.MESSAGES;
    private static final String T = EwsXmlWriter.TYPES;

    /** A per-message EWS error: the operation goes on, this message says ResponseClass="Error". */
    static final class EwsError extends RuntimeException {
        final String responseCode;

        EwsError(String responseCode) {
            super(responseCode, null, false, false);
            this.responseCode = responseCode;
        }
    }

    private final FakeMailboxStore store;
    private final FakeNotifications notifications;

    EwsOperations(FakeMailboxStore store, FakeNotifications notifications) {
        this.store = store;
        this.notifications = notifications;
    }

    /**
     * Delivers a message: it is stored, the folder's change log gains a Create, and subscriptions on
     * the folder get CreatedEvent, NewMailEvent and the folder's ModifiedEvent, the events Exchange
     * raises for a delivery.
     */
    Item deliver(Folder folder, byte[] mime, Instant receivedAt) {
        Item item = store.addItem(folder, mime, receivedAt);
        notifications.publish(folder, List.of(itemEvent("CreatedEvent", item), itemEvent("NewMailEvent", item),
                folderModified(folder)));
        return item;
    }

    /** Deletes a message for good: a Delete in the change log, DeletedEvent to subscriptions. */
    void delete(Item item) {
        store.deleteItem(item);
        notifications.publish(item.folder, List.of(itemEvent("DeletedEvent", item), folderModified(item.folder)));
    }

    /**
     * The answer to an EWS request other than GetStreamingEvents, or null for an operation the fake
     * does not know. {@code scripted}, if not null, is the ResponseCode every message gets instead.
     */
    String answer(String operation, Element request, Mailbox acting, String scripted) {
        if (scripted != null) {
            return scriptedError(operation, request, scripted);
        }
        try {
            return switch (operation) {
                case "Subscribe" -> subscribe(request, acting);
                case "Unsubscribe" -> unsubscribe(request, acting);
                case "SyncFolderItems" -> syncFolderItems(request, acting);
                case "GetItem" -> getItem(request);
                case "FindItem" -> findItem(request, acting);
                case "FindFolder" -> findFolder(request, acting);
                case "GetFolder" -> getFolder(request, acting);
                case "CreateItem" -> createItem(request, acting);
                case "UpdateItem" -> updateItem(request);
                default -> null;
            };
        } catch (EwsError e) {
            return EwsXmlWriter.envelope(operation + "Response", xml -> xml.error(operation + "ResponseMessage",
                    e.responseCode, extra -> { }));
        } catch (EwsRestriction.Unsupported e) {
            log.warn("FakeExchange cannot evaluate {}: {}", operation, e.getMessage());
            return EwsXmlWriter.envelope(operation + "Response", xml -> xml.error(operation + "ResponseMessage",
                    "ErrorUnsupportedQueryFilter", extra -> { }));
        }
    }

    /** One error message per message the request would have been answered with. */
    private String scriptedError(String operation, Element request, String responseCode) {
        int messages = switch (operation) {
            case "GetItem" -> EwsDom.children(EwsDom.child(request, M, "ItemIds")).size();
            case "UpdateItem" -> EwsDom.children(EwsDom.child(request, M, "ItemChanges")).size();
            case "CreateItem" -> EwsDom.children(EwsDom.child(request, M, "Items")).size();
            case "GetFolder" -> EwsDom.children(EwsDom.child(request, M, "FolderIds")).size();
            case "FindItem", "FindFolder" -> EwsDom.children(EwsDom.child(request, M, "ParentFolderIds")).size();
            default -> 1;
        };
        return EwsXmlWriter.envelope(operation + "Response", xml -> {
            for (int i = 0; i < Math.max(messages, 1); i++) {
                xml.error(operation + "ResponseMessage", responseCode, extra -> { });
            }
        });
    }

    private String subscribe(Element request, Mailbox acting) {
        Element streaming = EwsDom.child(request, M, "StreamingSubscriptionRequest");
        if (streaming == null) {
            // Pull and push subscriptions are real Exchange features the fake does not have.
            throw new EwsError("ErrorInvalidSubscriptionRequest");
        }
        Set<Folder> folders = null;
        if (!"true".equals(streaming.getAttribute("SubscribeToAllFolders"))) {
            folders = new LinkedHashSet<>();
            for (Element folderId : EwsDom.children(EwsDom.child(streaming, T, "FolderIds"))) {
                folders.add(resolveFolder(folderId, acting));
            }
        }
        Set<String> eventTypes = new LinkedHashSet<>();
        for (Element type : EwsDom.children(EwsDom.child(streaming, T, "EventTypes"), T, "EventType")) {
            eventTypes.add(type.getTextContent().trim());
        }
        Subscription subscription = notifications.subscribe(acting, folders, eventTypes);
        return EwsXmlWriter.envelope("SubscribeResponse", xml -> xml.success("SubscribeResponseMessage",
                message -> message.leaf("m:SubscriptionId", subscription.id)));
    }

    private String unsubscribe(Element request, Mailbox acting) {
        if (!notifications.unsubscribe(EwsDom.text(request, M, "SubscriptionId"), acting)) {
            throw new EwsError("ErrorSubscriptionNotFound");
        }
        return EwsXmlWriter.envelope("UnsubscribeResponse", xml -> xml.success("UnsubscribeResponseMessage", message -> { }));
    }

    private String syncFolderItems(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        Folder folder = resolveFolder(EwsDom.firstChild(EwsDom.child(request, M, "SyncFolderId")), acting);
        String syncState = EwsDom.text(request, M, "SyncState");
        String maxText = EwsDom.text(request, M, "MaxChangesReturned");
        int max = Math.clamp(maxText == null ? 512 : Integer.parseInt(maxText), 1, 512);
        synchronized (store) {
            int position = syncState == null || syncState.isEmpty() ? 0 : store.syncPosition(folder, syncState);
            if (position < 0) {
                throw new EwsError("ErrorInvalidSyncStateData");
            }
            FakeMailboxStore.SyncBatch batch = store.sync(folder, position, max);
            String nextState = store.syncState(folder, batch.nextPosition());
            return EwsXmlWriter.envelope("SyncFolderItemsResponse", xml -> xml.success("SyncFolderItemsResponseMessage",
                    message -> {
                        message.leaf("m:SyncState", nextState)
                                .leaf("m:IncludesLastItemInRange", batch.includesLast())
                                .start("m:Changes");
                        for (FakeMailboxStore.Change change : batch.changes()) {
                            Item item = change.item();
                            switch (change.kind()) {
                                case CREATE -> message.start("t:Create").message(item, shape).end();
                                case UPDATE -> message.start("t:Update").message(item, shape).end();
                                case DELETE -> message.start("t:Delete").empty("t:ItemId", "Id", item.id).end();
                                case READ_FLAG -> message.start("t:ReadFlagChange")
                                        .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey())
                                        .leaf("t:IsRead", item.read).end();
                            }
                        }
                        message.end();
                    }));
        }
    }

    private String getItem(Element request) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        List<Element> ids = EwsDom.children(EwsDom.child(request, M, "ItemIds"));
        synchronized (store) {
            return EwsXmlWriter.envelope("GetItemResponse", xml -> {
                for (Element id : ids) {
                    String itemId = id.getAttribute("Id");
                    Item item = store.item(itemId);
                    if (item == null) {
                        xml.error("GetItemResponseMessage", missingItemCode(itemId), extra -> extra.empty("m:Items"));
                    } else {
                        xml.success("GetItemResponseMessage", message -> message.start("m:Items").message(item, shape).end());
                    }
                }
            });
        }
    }

    private String findItem(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        if (shape.wants("item:MimeContent")) {
            // Exchange refuses MimeContent (and Body) in FindItem: they are GetItem-only properties.
            throw new EwsError("ErrorInvalidPropertyRequest");
        }
        Element view = EwsDom.child(request, M, "IndexedPageItemView");
        Predicate<Object> restriction = restriction(EwsDom.child(request, M, "Restriction"));
        var order = EwsRestriction.sortOrder(EwsDom.child(request, M, "SortOrder"));
        List<Element> parents = EwsDom.children(EwsDom.child(request, M, "ParentFolderIds"));
        synchronized (store) {
            List<Folder> folders = parents.stream().map(parent -> resolveFolder(parent, acting)).toList();
            return EwsXmlWriter.envelope("FindItemResponse", xml -> {
                for (Folder folder : folders) {
                    List<Item> matching = folder.items().stream().filter(restriction).sorted(order).toList();
                    page(xml, "FindItemResponseMessage", "t:Items", matching, view,
                            item -> xml.message(item, shape));
                }
            });
        }
    }

    private String findFolder(Element request, Mailbox acting) {
        boolean deep = "Deep".equals(request.getAttribute("Traversal"));
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "FolderShape"));
        Element view = EwsDom.child(request, M, "IndexedPageFolderView");
        Predicate<Object> restriction = restriction(EwsDom.child(request, M, "Restriction"));
        List<Element> parents = EwsDom.children(EwsDom.child(request, M, "ParentFolderIds"));
        synchronized (store) {
            List<Folder> roots = parents.stream().map(parent -> resolveFolder(parent, acting)).toList();
            return EwsXmlWriter.envelope("FindFolderResponse", xml -> {
                for (Folder root : roots) {
                    List<Folder> matching = store.descendants(root, deep).stream().filter(restriction).toList();
                    page(xml, "FindFolderResponseMessage", "t:Folders", matching, view,
                            folder -> xml.folder(folder, shape));
                }
            });
        }
    }

    /**
     * A FindItem/FindFolder result page: RootFolder with IndexedPagingOffset (where the next page
     * starts), TotalItemsInView and IncludesLastItemInRange, as Exchange writes them.
     */
    private static <E> void page(EwsXmlWriter xml, String messageElement, String listElement, List<E> all,
            Element view, Consumer<E> write) {
        int max = view == null ? Integer.MAX_VALUE : Integer.parseInt(view.getAttribute("MaxEntriesReturned"));
        int offset = view == null || view.getAttribute("Offset").isEmpty() ? 0 : Integer.parseInt(view.getAttribute("Offset"));
        boolean fromEnd = view != null && "End".equals(view.getAttribute("BasePoint"));
        int start = fromEnd ? Math.max(all.size() - offset - max, 0) : Math.min(offset, all.size());
        int end = fromEnd ? Math.max(all.size() - offset, 0) : Math.min(start + (int) Math.min(max, (long) all.size()), all.size());
        List<E> page = all.subList(start, end);
        boolean last = fromEnd ? start == 0 : end == all.size();
        int nextOffset = fromEnd ? offset + page.size() : end;
        xml.success(messageElement, message -> {
            message.start("m:RootFolder", "IndexedPagingOffset", String.valueOf(nextOffset),
                    "TotalItemsInView", String.valueOf(all.size()),
                    "IncludesLastItemInRange", String.valueOf(last));
            message.start(listElement);
            page.forEach(write);
            message.end().end();
        });
    }

    private String getFolder(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "FolderShape"));
        List<Element> ids = EwsDom.children(EwsDom.child(request, M, "FolderIds"));
        synchronized (store) {
            return EwsXmlWriter.envelope("GetFolderResponse", xml -> {
                for (Element id : ids) {
                    Folder folder;
                    try {
                        folder = resolveFolder(id, acting);
                    } catch (EwsError e) {
                        xml.error("GetFolderResponseMessage", e.responseCode, extra -> extra.empty("m:Folders"));
                        continue;
                    }
                    xml.success("GetFolderResponseMessage", message -> message.start("m:Folders").folder(folder, shape).end());
                }
            });
        }
    }

    /**
     * CreateItem of messages. SendAndSaveCopy and SendOnly answer an empty Items (a sent message has
     * no id to give back); SaveOnly answers the saved item's id. The copy lands in SavedItemFolderId
     * (default Sent Items), raising CreatedEvent but not NewMailEvent, as for Exchange's own sends.
     */
    private String createItem(Element request, Mailbox acting) {
        String disposition = request.getAttribute("MessageDisposition");
        if (disposition.isEmpty()) {
            throw new EwsError("ErrorMessageDispositionRequired");
        }
        Element savedFolderId = EwsDom.firstChild(EwsDom.child(request, M, "SavedItemFolderId"));
        List<Element> messages = EwsDom.children(EwsDom.child(request, M, "Items"));
        List<Item> saved = new ArrayList<>();
        synchronized (store) {
            Folder target = savedFolderId != null ? resolveFolder(savedFolderId, acting)
                    : acting.distinguished.get("SaveOnly".equals(disposition) ? "drafts" : "sentitems");
            for (Element message : messages) {
                byte[] mime = mime(message);
                if (!"SaveOnly".equals(disposition)) {
                    acting.sent.add(mime.clone());
                    acting.sentBlindCopies.add(EwsDom.children(EwsDom.child(message, T, "BccRecipients"), T, "Mailbox")
                            .stream().map(mailbox -> EwsDom.text(mailbox, T, "EmailAddress")).toList());
                }
                if (!"SendOnly".equals(disposition)) {
                    Item item = store.addItem(target, mime, Instant.now());
                    item.read = !"SaveOnly".equals(disposition);
                    for (Element category : EwsDom.children(EwsDom.child(message, T, "Categories"), T, "String")) {
                        item.categories.add(category.getTextContent());
                    }
                    saved.add(item);
                }
            }
        }
        for (Item item : saved) {
            notifications.publish(item.folder, List.of(itemEvent("CreatedEvent", item), folderModified(item.folder)));
        }
        boolean returnIds = "SaveOnly".equals(disposition);
        return EwsXmlWriter.envelope("CreateItemResponse", xml -> {
            for (int i = 0; i < messages.size(); i++) {
                Item item = returnIds ? saved.get(i) : null;
                xml.success("CreateItemResponseMessage", message -> {
                    if (item == null) {
                        message.empty("m:Items");
                    } else {
                        message.start("m:Items").start("t:Message")
                                .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey()).end().end();
                    }
                });
            }
        });
    }

    /** The message's MimeContent, or for a message built from properties a minimal MIME of them. */
    private static byte[] mime(Element message) {
        String mimeContent = EwsDom.text(message, T, "MimeContent");
        if (mimeContent != null) {
            return Base64.getMimeDecoder().decode(mimeContent);
        }
        String subject = EwsDom.text(message, T, "Subject");
        String body = EwsDom.text(message, T, "Body");
        String mime = "Subject: " + (subject == null ? "" : subject) + "\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + (body == null ? "" : body);
        return mime.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * UpdateItem: SetItemField, AppendToItemField and DeleteItemField of item:Categories and
     * message:IsRead (other fields are accepted and ignored). A stale ChangeKey fails only with
     * ConflictResolution NeverOverwrite, as in Exchange; each update gives the item a new ChangeKey.
     */
    private String updateItem(Element request) {
        String conflictResolution = request.getAttribute("ConflictResolution");
        List<Element> changes = EwsDom.children(EwsDom.child(request, M, "ItemChanges"), T, "ItemChange");
        List<Item> updated = new ArrayList<>();
        String response;
        synchronized (store) {
            response = EwsXmlWriter.envelope("UpdateItemResponse", xml -> {
                for (Element change : changes) {
                    Element id = EwsDom.child(change, T, "ItemId");
                    Item item = id == null ? null : store.item(id.getAttribute("Id"));
                    if (item == null) {
                        xml.error("UpdateItemResponseMessage", missingItemCode(id == null ? "" : id.getAttribute("Id")),
                                extra -> extra.empty("m:Items"));
                        continue;
                    }
                    String changeKey = id.getAttribute("ChangeKey");
                    if (!changeKey.isEmpty() && !changeKey.equals(item.changeKey())
                            && "NeverOverwrite".equals(conflictResolution)) {
                        xml.error("UpdateItemResponseMessage", "ErrorIrresolvableConflict", extra -> extra.empty("m:Items"));
                        continue;
                    }
                    ChangeKind kind = applyUpdates(item, EwsDom.children(EwsDom.child(change, T, "Updates")));
                    store.touch(item, kind);
                    updated.add(item);
                    xml.success("UpdateItemResponseMessage", message -> message
                            .start("m:Items").start("t:Message")
                            .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey()).end().end()
                            .start("m:ConflictResults").leaf("t:Count", 0).end());
                }
            });
        }
        for (Item item : updated) {
            notifications.publish(item.folder, List.of(itemEvent("ModifiedEvent", item), folderModified(item.folder)));
        }
        return response;
    }

    private static ChangeKind applyUpdates(Item item, List<Element> updates) {
        ChangeKind kind = ChangeKind.READ_FLAG;
        for (Element update : updates) {
            Element fieldUri = EwsDom.child(update, T, "FieldURI");
            String field = fieldUri == null ? "" : fieldUri.getAttribute("FieldURI");
            Element values = EwsDom.children(update).stream().filter(child -> child != fieldUri).findFirst().orElse(null);
            String operation = update.getLocalName();
            switch (field) {
                case "item:Categories" -> {
                    List<String> categories = EwsDom.children(EwsDom.child(values, T, "Categories"), T, "String").stream()
                            .map(Element::getTextContent).toList();
                    if (!"AppendToItemField".equals(operation)) {
                        item.categories.clear();
                    }
                    if (!"DeleteItemField".equals(operation)) {
                        item.categories.addAll(categories);
                    }
                    kind = ChangeKind.UPDATE;
                }
                case "message:IsRead" -> item.read = !"DeleteItemField".equals(operation)
                        && Boolean.parseBoolean(EwsDom.text(values, T, "IsRead"));
                default -> {
                    log.debug("UpdateItem of {} accepted and ignored", field);
                    kind = ChangeKind.UPDATE;
                }
            }
        }
        return kind;
    }

    private static Predicate<Object> restriction(Element restriction) {
        return restriction == null ? anything -> true : EwsRestriction.parse(restriction);
    }

    private static String missingItemCode(String itemId) {
        return FakeMailboxStore.wellFormedId(itemId) ? "ErrorItemNotFound" : "ErrorInvalidIdMalformed";
    }

    /**
     * A t:FolderId, or a t:DistinguishedFolderId of the acting user or of the mailbox it names in
     * t:Mailbox/t:EmailAddress.
     */
    private Folder resolveFolder(Element folderId, Mailbox acting) {
        if (EwsDom.is(folderId, T, "FolderId")) {
            Folder folder = store.folder(folderId.getAttribute("Id"));
            if (folder == null) {
                throw new EwsError(FakeMailboxStore.wellFormedId(folderId.getAttribute("Id"))
                        ? "ErrorFolderNotFound" : "ErrorInvalidIdMalformed");
            }
            return folder;
        }
        if (EwsDom.is(folderId, T, "DistinguishedFolderId")) {
            Mailbox mailbox = acting;
            String address = EwsDom.text(EwsDom.child(folderId, T, "Mailbox"), T, "EmailAddress");
            if (address != null) {
                mailbox = store.mailboxForLogon(address);
                if (mailbox == null) {
                    throw new EwsError("ErrorNonExistentMailbox");
                }
            }
            synchronized (store) {
                Folder folder = mailbox.distinguished.get(folderId.getAttribute("Id").toLowerCase(Locale.ROOT));
                if (folder == null) {
                    throw new EwsError("ErrorFolderNotFound");
                }
                return folder;
            }
        }
        throw new EwsError("ErrorInvalidRequest");
    }

    private static Event itemEvent(String type, Item item) {
        return new Event(type, Instant.now(), item.id, null, item.folder.id, null);
    }

    /** The ModifiedEvent of a folder whose content changed, with its new UnreadCount. */
    private Event folderModified(Folder folder) {
        long unread;
        synchronized (store) {
            unread = folder.items().stream().filter(item -> !item.read).count();
        }
        return new Event("ModifiedEvent", Instant.now(), null, folder.id,
                folder.parent == null ? folder.id : folder.parent.id, unread);
    }
}
