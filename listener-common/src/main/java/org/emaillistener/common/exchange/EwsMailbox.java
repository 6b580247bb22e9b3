package org.emaillistener.common.exchange;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.PropertySet;
import microsoft.exchange.webservices.data.core.enumeration.notification.EventType;
import microsoft.exchange.webservices.data.core.enumeration.property.BasePropertySet;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import microsoft.exchange.webservices.data.core.enumeration.search.FolderTraversal;
import microsoft.exchange.webservices.data.core.enumeration.search.LogicalOperator;
import microsoft.exchange.webservices.data.core.enumeration.search.SortDirection;
import microsoft.exchange.webservices.data.core.enumeration.service.ConflictResolutionMode;
import microsoft.exchange.webservices.data.core.enumeration.misc.error.ServiceError;
import microsoft.exchange.webservices.data.core.enumeration.sync.ChangeType;
import microsoft.exchange.webservices.data.core.enumeration.service.SyncFolderItemsScope;
import microsoft.exchange.webservices.data.core.exception.http.HttpErrorException;
import microsoft.exchange.webservices.data.core.exception.service.remote.ServiceResponseException;
import microsoft.exchange.webservices.data.core.service.folder.Folder;
import microsoft.exchange.webservices.data.core.service.item.EmailMessage;
import microsoft.exchange.webservices.data.core.service.item.Item;
import microsoft.exchange.webservices.data.core.service.schema.FolderSchema;
import microsoft.exchange.webservices.data.core.service.schema.ItemSchema;
import microsoft.exchange.webservices.data.notification.ItemEvent;
import microsoft.exchange.webservices.data.notification.NotificationEvent;
import microsoft.exchange.webservices.data.notification.StreamingSubscription;
import microsoft.exchange.webservices.data.notification.StreamingSubscriptionConnection;
import microsoft.exchange.webservices.data.property.complex.FolderId;
import microsoft.exchange.webservices.data.property.complex.ItemId;
import microsoft.exchange.webservices.data.property.complex.MimeContent;
import microsoft.exchange.webservices.data.property.complex.StringList;
import microsoft.exchange.webservices.data.search.FindFoldersResults;
import microsoft.exchange.webservices.data.search.FindItemsResults;
import microsoft.exchange.webservices.data.search.FolderView;
import microsoft.exchange.webservices.data.search.ItemView;
import microsoft.exchange.webservices.data.search.filter.SearchFilter;
import microsoft.exchange.webservices.data.sync.ChangeCollection;
import microsoft.exchange.webservices.data.sync.ItemChange;

/**
 * {@link ExchangeMailbox} on ews-java-api. One instance is one {@link ExchangeService} (its own
 * HTTP connection pools), used by one caller at a time; {@link #close()} frees it.
 */
final class EwsMailbox implements ExchangeMailbox {

    private static final int FOLDER_PAGE = 500;
    /** SyncFolderItems returns at most 512 changes a call. */
    private static final int MAX_SYNC_CHANGES = 512;

    private final ExchangeService service;
    private final String address;
    private final Map<String, StreamingSubscription> subscriptions = new ConcurrentHashMap<>();

    EwsMailbox(ExchangeService service, String address) {
        this.service = service;
        this.address = address;
    }

    @Override
    public void verify() throws ExchangeException {
        call("read the Inbox", () -> Folder.bind(service, WellKnownFolderName.Inbox, PropertySet.IdOnly));
    }

    @Override
    public List<ExchangeFolder> folders(String folderClass) throws ExchangeException {
        return call("list the folders", () -> {
            List<ExchangeFolder> folders = new ArrayList<>();
            PropertySet shape = new PropertySet(BasePropertySet.IdOnly, FolderSchema.DisplayName,
                    FolderSchema.ParentFolderId, FolderSchema.FolderClass);
            for (int offset = 0;;) {
                FolderView view = new FolderView(FOLDER_PAGE, offset);
                view.setTraversal(FolderTraversal.Deep);
                view.setPropertySet(shape);
                FindFoldersResults page = folderClass == null || folderClass.isBlank()
                        ? service.findFolders(WellKnownFolderName.MsgFolderRoot, view)
                        : service.findFolders(WellKnownFolderName.MsgFolderRoot,
                                new SearchFilter.IsEqualTo(FolderSchema.FolderClass, folderClass), view);
                for (Folder folder : page.getFolders()) {
                    folders.add(new ExchangeFolder(folder.getId().getUniqueId(), folder.getDisplayName(),
                            folder.getParentFolderId() == null ? null : folder.getParentFolderId().getUniqueId(),
                            folder.getFolderClass()));
                }
                if (!page.isMoreAvailable() || page.getNextPageOffset() == null) {
                    return folders;
                }
                offset = page.getNextPageOffset();
            }
        });
    }

    @Override
    public String wellKnownFolderId(String name) throws ExchangeException {
        WellKnownFolderName folder = wellKnown(name);
        return call("find folder " + name,
                () -> Folder.bind(service, folder, PropertySet.IdOnly).getId().getUniqueId());
    }

    @Override
    public SyncPage sync(String folderId, String syncState, int max) throws ExchangeException {
        return call("synchronise a folder", () -> {
            ChangeCollection<ItemChange> changes = service.syncFolderItems(new FolderId(folderId),
                    new PropertySet(BasePropertySet.IdOnly, ItemSchema.DateTimeReceived), null,
                    Math.clamp(max, 1, MAX_SYNC_CHANGES), SyncFolderItemsScope.NormalItems, syncState);
            List<ItemRef> created = new ArrayList<>();
            for (ItemChange change : changes) {
                if (change.getChangeType() == ChangeType.Create) {
                    Item item = change.getItem();
                    created.add(new ItemRef(change.getItemId().getUniqueId(), received(item)));
                }
            }
            return new SyncPage(created, changes.getSyncState(), changes.getMoreChangesAvailable());
        });
    }

    @Override
    public ExchangeItem fetch(String itemId, OutputStream mime) throws ExchangeException {
        Item item = call("read an item", () -> Item.bind(service, new ItemId(itemId), new PropertySet(
                BasePropertySet.IdOnly, ItemSchema.MimeContent, ItemSchema.DateTimeReceived, ItemSchema.Subject)));
        try {
            MimeContent content = item.getMimeContent();
            if (content != null && content.getContent() != null) {
                mime.write(content.getContent());
            }
            return new ExchangeItem(itemId, received(item), null, item.getSubject());
        } catch (IOException e) {
            throw new ExchangeException("The item's MIME content could not be written: " + e.getMessage(), 0, null,
                    e);
        } catch (Exception e) {
            throw failure("read an item", e);
        }
    }

    @Override
    public void categorize(String itemId, String category) throws ExchangeException {
        call("set a category", () -> {
            Item item = Item.bind(service, new ItemId(itemId),
                    new PropertySet(BasePropertySet.IdOnly, ItemSchema.Categories));
            StringList categories = item.getCategories();
            if (!categories.contains(category)) {
                categories.add(category);
                item.update(ConflictResolutionMode.AutoResolve);
            }
            return null;
        });
    }

    @Override
    public void send(byte[] mime, List<String> blindCopies) throws ExchangeException {
        call("send the email", () -> {
            EmailMessage message = new EmailMessage(service);
            message.setMimeContent(new MimeContent("UTF-8", mime));
            for (String address : blindCopies) {
                message.getBccRecipients().add(address);
            }
            message.sendAndSaveCopy();
            return null;
        });
    }

    @Override
    public ItemPage received(String folderId, Instant from, Instant until, int offset, int max)
            throws ExchangeException {
        return call("find items", () -> {
            ItemView view = new ItemView(max, offset);
            view.setPropertySet(new PropertySet(BasePropertySet.IdOnly, ItemSchema.DateTimeReceived));
            view.getOrderBy().add(ItemSchema.DateTimeReceived, SortDirection.Ascending);
            SearchFilter window = new SearchFilter.SearchFilterCollection(LogicalOperator.And,
                    new SearchFilter.IsGreaterThanOrEqualTo(ItemSchema.DateTimeReceived, Date.from(from)),
                    new SearchFilter.IsLessThan(ItemSchema.DateTimeReceived, Date.from(until)));
            FindItemsResults<Item> page = service.findItems(new FolderId(folderId), window, view);
            List<ItemRef> items = new ArrayList<>();
            for (Item item : page.getItems()) {
                items.add(new ItemRef(item.getId().getUniqueId(), received(item)));
            }
            return new ItemPage(items, page.isMoreAvailable());
        });
    }

    @Override
    public String subscribe(List<String> folderIds) throws ExchangeException {
        StreamingSubscription subscription = call("subscribe to new mail", () -> service
                .subscribeToStreamingNotifications(folderIds.stream().map(this::folderId).toList(),
                        EventType.NewMail, EventType.Created));
        subscriptions.put(subscription.getId(), subscription);
        return subscription.getId();
    }

    @Override
    public ExchangeStream stream(String subscriptionId, Duration lifetime, ExchangeStream.Events events)
            throws ExchangeException {
        StreamingSubscription subscription = subscriptions.get(subscriptionId);
        if (subscription == null) {
            throw new ExchangeException("Subscription " + subscriptionId + " belongs to another connection", 0,
                    ServiceError.ErrorSubscriptionNotFound.name(), null);
        }
        int minutes = (int) Math.clamp(lifetime.toMinutes(), 1, 30);
        StreamingSubscriptionConnection connection = call("open a streaming connection", () -> {
            StreamingSubscriptionConnection opened = new StreamingSubscriptionConnection(service, minutes);
            opened.addSubscription(subscription);
            opened.addOnNotificationEvent((sender, args) -> events.newMail(folders(args.getEvents())));
            opened.addOnSubscriptionError((sender, args) -> {
                // Missed events too end the subscription: "Handling notification-related errors in EWS in
                // Exchange" has the client make a new subscription, then find out what changed.
                ExchangeException failure = failure("stream events", args.getException());
                subscriptions.remove(subscriptionId);
                events.ended(failure);
                closeQuietly((StreamingSubscriptionConnection) sender);
            });
            opened.addOnDisconnect((sender, args) -> events.ended(args.getException() == null ? null
                    : failure("stream events", args.getException())));
            opened.open();
            return opened;
        });
        return () -> closeQuietly(connection);
    }

    @Override
    /**
     * Unsubscribes, then closes the connections: a subscription left behind lives on at the server until
     * it expires and counts toward the account's limits (EwsMaxSubscriptions); closing cuts every
     * stream at once. An unsubscribe that fails leaves the subscription to expire.
     */
    public void close() {
        for (StreamingSubscription subscription : List.copyOf(subscriptions.values())) {
            try {
                subscription.unsubscribe();
            } catch (Exception e) {
                // It expires on its own.
            }
        }
        subscriptions.clear();
        service.close();
    }

    private static Set<String> folders(Iterable<NotificationEvent> notifications) {
        Set<String> folders = new LinkedHashSet<>();
        for (NotificationEvent event : notifications) {
            if (event instanceof ItemEvent && event.getParentFolderId() != null) {
                folders.add(event.getParentFolderId().getUniqueId());
            }
        }
        return folders;
    }

    /**
     * ews-java-api's {@code close()} reads the rest of the response first, so it blocks until the
     * server ends the stream (up to its lifetime): it runs on a virtual thread of its own. Closing the
     * mailbox ({@link #close()}) cuts every stream at once.
     */
    private static void closeQuietly(StreamingSubscriptionConnection connection) {
        Thread.ofVirtual().name("ews-stream-close").start(() -> {
            try {
                if (connection.getIsOpen()) {
                    connection.close();
                }
            } catch (Exception e) {
                // Already closed or broken: either way it delivers nothing more.
            }
        });
    }

    private FolderId folderId(String id) {
        try {
            return new FolderId(id);
        } catch (Exception e) {
            throw new IllegalArgumentException("Not an Exchange folder id: " + id, e);
        }
    }

    private static Instant received(Item item) {
        try {
            Date received = item.getDateTimeReceived();
            return received == null ? null : received.toInstant();
        } catch (Exception e) {
            return null;
        }
    }

    private static WellKnownFolderName wellKnown(String name) {
        for (WellKnownFolderName folder : WellKnownFolderName.values()) {
            if (folder.name().equalsIgnoreCase(name)) {
                return folder;
            }
        }
        throw new IllegalArgumentException("No well-known Exchange folder is called " + name);
    }

    private <T> T call(String what, Call<T> call) throws ExchangeException {
        try {
            return call.run();
        } catch (Exception e) {
            throw failure(what, e);
        }
    }

    /** The library's exception, in terms that do not depend on the library. */
    private ExchangeException failure(String what, Exception e) {
        if (e instanceof ExchangeException known) {
            return known;
        }
        int status = 0;
        String code = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpErrorException http && status == 0) {
                status = http.getHttpErrorCode();
            }
            if (t instanceof ServiceResponseException response && code == null && response.getErrorCode() != null) {
                code = response.getErrorCode().name();
            }
        }
        String reason = status == 401 ? "the server refused the credentials (HTTP 401)"
                : status == 403 ? "the server refused access (HTTP 403)"
                : status != 0 ? "the server answered HTTP " + status
                : code != null ? code + ": " + e.getMessage()
                : String.valueOf(e.getMessage());
        return new ExchangeException("Exchange mailbox " + address + ": could not " + what + ": " + reason, status,
                code, e);
    }

    @FunctionalInterface
    private interface Call<T> {

        T run() throws Exception;
    }
}
