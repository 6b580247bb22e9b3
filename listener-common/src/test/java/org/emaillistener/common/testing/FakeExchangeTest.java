package org.emaillistener.common.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import microsoft.exchange.webservices.data.autodiscover.AutodiscoverService;
import microsoft.exchange.webservices.data.autodiscover.enumeration.UserSettingName;
import microsoft.exchange.webservices.data.autodiscover.response.GetUserSettingsResponse;
import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.PropertySet;
import microsoft.exchange.webservices.data.core.enumeration.misc.ExchangeVersion;
import microsoft.exchange.webservices.data.core.enumeration.misc.error.ServiceError;
import microsoft.exchange.webservices.data.core.enumeration.notification.EventType;
import microsoft.exchange.webservices.data.core.enumeration.property.BasePropertySet;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import microsoft.exchange.webservices.data.core.enumeration.search.FolderTraversal;
import microsoft.exchange.webservices.data.core.enumeration.search.LogicalOperator;
import microsoft.exchange.webservices.data.core.enumeration.search.SortDirection;
import microsoft.exchange.webservices.data.core.enumeration.service.ConflictResolutionMode;
import microsoft.exchange.webservices.data.core.enumeration.service.ServiceResult;
import microsoft.exchange.webservices.data.core.enumeration.service.SyncFolderItemsScope;
import microsoft.exchange.webservices.data.core.enumeration.sync.ChangeType;
import microsoft.exchange.webservices.data.core.exception.http.HttpErrorException;
import microsoft.exchange.webservices.data.core.exception.service.remote.ServiceRequestException;
import microsoft.exchange.webservices.data.core.exception.service.remote.ServiceResponseException;
import microsoft.exchange.webservices.data.core.response.GetItemResponse;
import microsoft.exchange.webservices.data.core.response.ServiceResponseCollection;
import microsoft.exchange.webservices.data.core.service.folder.Folder;
import microsoft.exchange.webservices.data.core.service.item.EmailMessage;
import microsoft.exchange.webservices.data.core.service.item.Item;
import microsoft.exchange.webservices.data.core.service.schema.EmailMessageSchema;
import microsoft.exchange.webservices.data.core.service.schema.FolderSchema;
import microsoft.exchange.webservices.data.core.service.schema.ItemSchema;
import microsoft.exchange.webservices.data.credential.WebCredentials;
import microsoft.exchange.webservices.data.notification.ItemEvent;
import microsoft.exchange.webservices.data.notification.NotificationEvent;
import microsoft.exchange.webservices.data.notification.StreamingSubscription;
import microsoft.exchange.webservices.data.notification.StreamingSubscriptionConnection;
import microsoft.exchange.webservices.data.notification.SubscriptionErrorEventArgs;
import microsoft.exchange.webservices.data.property.complex.FolderId;
import microsoft.exchange.webservices.data.property.complex.ItemId;
import microsoft.exchange.webservices.data.property.complex.MimeContent;
import microsoft.exchange.webservices.data.search.FindFoldersResults;
import microsoft.exchange.webservices.data.search.FindItemsResults;
import microsoft.exchange.webservices.data.search.FolderView;
import microsoft.exchange.webservices.data.search.ItemView;
import microsoft.exchange.webservices.data.search.filter.SearchFilter;
import microsoft.exchange.webservices.data.sync.ChangeCollection;
import microsoft.exchange.webservices.data.sync.ItemChange;

/**
 * Drives {@link FakeExchange} through ews-java-api 2.0 itself, the way the listener will: if the
 * library parses what the fake writes and gets the behaviour the listener relies on, the fake is
 * fit to stand in for Exchange.
 */
class FakeExchangeTest {

    private static final String USER = "anna@contoso.com";
    private static final String PASSWORD = "Secret-1";

    private FakeExchange exchange;
    private ExchangeService service;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        exchange = new FakeExchange();
        exchange.addUser(USER, PASSWORD);
        exchange.setHeartbeatInterval(Duration.ofMillis(500));
        exchange.setMinuteLength(Duration.ofSeconds(2));
        service = service(new WebCredentials(USER, PASSWORD));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeLater) {
            closeable.close();
        }
        service.close();
        exchange.close();
    }

    @Test
    void aStreamingSubscriptionGetsNewMailThenEndsCleanlyOrHardOrBecomesUnknown() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        StreamingSubscription subscription = service.subscribeToStreamingNotifications(
                List.of(new FolderId(inbox)), EventType.NewMail, EventType.Created);
        Listener listener = new Listener();
        StreamingSubscriptionConnection connection = listener.open(subscription, 1);

        String delivered = exchange.createMessage(USER, inbox, mime("Hello", "<hello@contoso.com>"));

        List<ItemEvent> events = listener.itemEvents(2);
        assertThat(events).extracting(NotificationEvent::getEventType)
                .containsExactly(EventType.Created, EventType.NewMail);
        assertThat(events).allSatisfy(event -> {
            assertThat(event.getItemId().getUniqueId()).isEqualTo(delivered);
            assertThat(event.getParentFolderId().getUniqueId()).isEqualTo(inbox);
        });
        assertThat(connection.getIsOpen()).isTrue();

        // ConnectionTimeout 1 "minute" (2 s here) later Exchange sends ConnectionStatus Closed.
        SubscriptionErrorEventArgs lifetimeEnd = listener.disconnects.poll(10, SECONDS);
        assertThat(lifetimeEnd).isNotNull();
        assertThat(lifetimeEnd.getException()).isNull();
        await().until(() -> exchange.openStreams() == 0);

        // Between connections the subscription keeps its events; the next connection gets them first.
        String whileAway = exchange.createMessage(USER, inbox, mime("While away", "<away@contoso.com>"));
        listener.open(subscription, 1);
        assertThat(listener.itemEvents(2)).extracting(event -> event.getItemId().getUniqueId())
                .containsOnly(whileAway);

        exchange.dropStreams();
        SubscriptionErrorEventArgs dropped = listener.disconnects.poll(10, SECONDS);
        assertThat(dropped).isNotNull();
        assertThat(dropped.getException()).isNotNull();

        exchange.expireSubscriptions();
        listener.open(subscription, 1);
        SubscriptionErrorEventArgs unknown = listener.errors.poll(10, SECONDS);
        assertThat(unknown).isNotNull();
        assertThat(unknown.getSubscription()).isSameAs(subscription);
        assertThat(((ServiceResponseException) unknown.getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorSubscriptionNotFound);
        // The error message is the whole response: the library then sees the stream end.
        assertThat(listener.disconnects.poll(10, SECONDS)).isNotNull();
        assertThat(exchange.requests()).containsSubsequence("Subscribe " + USER, "GetStreamingEvents " + USER,
                "GetStreamingEvents " + USER, "GetStreamingEvents " + USER);
    }

    @Test
    void closeStreamsAndScriptedStreamErrorsReachTheirHandlers() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        StreamingSubscription subscription = service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        Listener listener = new Listener();
        listener.open(subscription, 30);
        // open() returns on the response's headers, a moment before the fake counts the stream as open.
        await().until(() -> exchange.openStreams() == 1);
        exchange.closeStreams();
        assertThat(listener.disconnects.poll(10, SECONDS).getException()).isNull();

        // Missed events are reported for the subscription, which is then gone ("Handling
        // notification-related errors in EWS in Exchange": make a new subscription).
        exchange.failNext("GetStreamingEvents", "ErrorMissedNotificationEvents");
        listener.open(subscription, 30);
        SubscriptionErrorEventArgs missed = listener.errors.poll(10, SECONDS);
        assertThat(((ServiceResponseException) missed.getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorMissedNotificationEvents);
        listener.open(subscription, 30);
        assertThat(((ServiceResponseException) listener.errors.poll(10, SECONDS).getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorSubscriptionNotFound);
        StreamingSubscription renewed = service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        listener.open(renewed, 30);
        String delivered = exchange.createMessage(USER, inbox, mime("After the gap", "<gap@contoso.com>"));
        assertThat(listener.itemEvents(1)).extracting(event -> event.getItemId().getUniqueId()).containsExactly(delivered);

        // Unsubscribe makes the subscription unknown to the next stream.
        exchange.closeStreams();
        renewed.unsubscribe();
        listener.open(renewed, 30);
        assertThat(((ServiceResponseException) listener.errors.poll(10, SECONDS).getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorSubscriptionNotFound);
    }

    /** Issue 15: an on-premises account has at most three streaming connections open (EwsStreaming). */
    @Test
    void aFourthStreamingConnectionOfAnAccountIsRefused() throws Exception {
        List<Listener> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Listener listener = new Listener();
            listener.open(service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail), 30);
            open.add(listener);
        }
        await().until(() -> exchange.openStreams(USER) == 3);
        Listener fourth = new Listener();

        fourth.open(service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail), 30);

        await().until(() -> exchange.exceededConnectionCount() == 1);
        SubscriptionErrorEventArgs refused = fourth.errors.poll(10, SECONDS);
        assertThat(refused).isNotNull();
        assertThat(((ServiceResponseException) refused.getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorExceededConnectionCount);
        assertThat(exchange.openStreams(USER)).isEqualTo(3);
    }

    /** Issue 15: a two-server site keeps a stream on the subscription's server only with affinity. */
    @Test
    void withoutServerAffinityAStreamLandsOnAServerThatKnowsNoSubscription() throws Exception {
        service.getHttpHeaders().remove("X-PreferServerAffinity");
        StreamingSubscription subscription = service.subscribeToStreamingNotifications(
                List.of(new FolderId(exchange.folderId(USER, "inbox"))), EventType.NewMail);
        Listener listener = new Listener();

        listener.open(subscription, 1);

        SubscriptionErrorEventArgs error = listener.errors.poll(10, SECONDS);
        assertThat(error).isNotNull();
        assertThat(((ServiceResponseException) error.getException()).getErrorCode())
                .isEqualTo(ServiceError.ErrorSubscriptionNotFound);
    }

    @Test
    void aBacklogComesInMessagesOfAtMostFiftyEventsThatTheLibraryReadsBackToBack() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        StreamingSubscription subscription = service.subscribeToStreamingNotifications(
                List.of(new FolderId(inbox)), EventType.NewMail);
        List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            delivered.add(exchange.createMessage(USER, inbox, mime("Backlog " + i, "<backlog" + i + "@contoso.com>")));
        }
        Listener listener = new Listener();

        listener.open(subscription, 1);

        assertThat(listener.itemEvents(60)).extracting(event -> event.getItemId().getUniqueId())
                .containsExactlyElementsOf(delivered);
        assertThat(listener.batchSizes).containsExactly(50, 10);
    }

    @Test
    void heartbeatsKeepAStreamAliveLongerThanTheSocketTimeout() throws Exception {
        exchange.setMinuteLength(Duration.ofSeconds(3));
        service.setTimeout(1_000);
        StreamingSubscription subscription = service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        Listener listener = new Listener();
        listener.open(subscription, 1);

        // 3 s of stream with a 1 s socket timeout: only the 0.5 s heartbeats keep it from timing out.
        SubscriptionErrorEventArgs end = listener.disconnects.poll(10, SECONDS);
        assertThat(end.getException()).isNull();

        exchange.setHeartbeatInterval(Duration.ofSeconds(5));
        listener.open(subscription, 1);
        SubscriptionErrorEventArgs timedOut = listener.disconnects.poll(10, SECONDS);
        // The library reports it as a plain exception (XMLStreamException), not as a timeout.
        assertThat(timedOut.getException()).hasRootCauseInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void closingTheConnectionObjectWaitsForTheStreamToEndButClosingTheServiceCutsIt() throws Exception {
        exchange.setMinuteLength(Duration.ofSeconds(3));
        StreamingSubscription subscription = service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        Listener listener = new Listener();
        StreamingSubscriptionConnection connection = listener.open(subscription, 1);

        long start = System.nanoTime();
        connection.close();

        // close() drains the rest of the response before it returns: it waits for Exchange to end the
        // stream at ConnectionTimeout (a whole "minute" here), reading heartbeats meanwhile.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
        assertThat(listener.disconnects.poll(10, SECONDS)).isNotNull();

        // Closing the ExchangeService closes its connection pool, which cuts the stream at once.
        ExchangeService other = service(new WebCredentials(USER, PASSWORD));
        StreamingSubscription second = other.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        StreamingSubscriptionConnection otherConnection = new StreamingSubscriptionConnection(other, 1);
        otherConnection.addSubscription(second);
        BlockingQueue<SubscriptionErrorEventArgs> cut = new LinkedBlockingQueue<>();
        otherConnection.addOnDisconnect((sender, args) -> cut.add(args));
        otherConnection.open();
        start = System.nanoTime();
        other.close();
        SubscriptionErrorEventArgs cutArgs = cut.poll(10, SECONDS);
        assertThat(cutArgs.getException()).hasRootCauseInstanceOf(SocketException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void closingTheFakeCutsItsOpenStreams() throws Exception {
        StreamingSubscription subscription = service.subscribeToStreamingNotificationsOnAllFolders(EventType.NewMail);
        Listener listener = new Listener();
        listener.open(subscription, 30);
        await().until(() -> exchange.openStreams() == 1);

        exchange.close();

        SubscriptionErrorEventArgs cut = listener.disconnects.poll(5, SECONDS);
        assertThat(cut).isNotNull();
        assertThat(cut.getException()).isNotNull();
        // The client may see the cut before the fake's handler thread has finished with the stream.
        await().atMost(5, SECONDS).until(() -> exchange.openStreams() == 0);
    }

    @Test
    void syncFolderItemsPagesThroughTheChangesAndRejectsAForeignSyncState() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ids.add(exchange.createMessage(USER, inbox, mime("Message " + i, "<m" + i + "@contoso.com>")));
        }
        PropertySet shape = new PropertySet(BasePropertySet.IdOnly, ItemSchema.DateTimeReceived);

        ChangeCollection<ItemChange> first = sync(inbox, shape, null);
        assertThat(first.getCount()).isEqualTo(2);
        assertThat(first.getMoreChangesAvailable()).isTrue();
        assertThat(first.getChangeAtIndex(0).getChangeType()).isEqualTo(ChangeType.Create);
        assertThat(first.getChangeAtIndex(0).getItem().getDateTimeReceived()).isNotNull();
        ChangeCollection<ItemChange> second = sync(inbox, shape, first.getSyncState());
        assertThat(second.getCount()).isEqualTo(1);
        assertThat(second.getMoreChangesAvailable()).isFalse();
        List<String> synced = new ArrayList<>();
        for (ItemChange change : first) {
            synced.add(change.getItemId().getUniqueId());
        }
        for (ItemChange change : second) {
            synced.add(change.getItemId().getUniqueId());
        }
        assertThat(synced).containsExactlyElementsOf(ids);

        ChangeCollection<ItemChange> none = sync(inbox, shape, second.getSyncState());
        assertThat(none.getCount()).isZero();
        assertThat(none.getMoreChangesAvailable()).isFalse();

        exchange.deleteMessage(USER, ids.get(1));
        ChangeCollection<ItemChange> deletion = sync(inbox, PropertySet.IdOnly, none.getSyncState());
        assertThat(deletion.getCount()).isEqualTo(1);
        assertThat(deletion.getChangeAtIndex(0).getChangeType()).isEqualTo(ChangeType.Delete);
        assertThat(deletion.getChangeAtIndex(0).getItemId().getUniqueId()).isEqualTo(ids.get(1));

        // A first sync sees what is there now: the deleted message is not created and deleted.
        ChangeCollection<ItemChange> fresh = sync(inbox, PropertySet.IdOnly, null);
        assertThat(fresh.getCount()).isEqualTo(2);

        String sentItems = exchange.folderId(USER, "sentitems");
        assertThatThrownBy(() -> sync(sentItems, PropertySet.IdOnly, none.getSyncState()))
                .isInstanceOfSatisfying(ServiceResponseException.class, e ->
                        assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorInvalidSyncStateData));
        assertThatThrownBy(() -> sync(inbox, PropertySet.IdOnly, "bm90IGEgc3luYyBzdGF0ZQ=="))
                .isInstanceOfSatisfying(ServiceResponseException.class, e ->
                        assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorInvalidSyncStateData));
        exchange.failNext("SyncFolderItems", "ErrorInvalidSyncStateData");
        assertThatThrownBy(() -> sync(inbox, PropertySet.IdOnly, none.getSyncState()))
                .isInstanceOfSatisfying(ServiceResponseException.class, e ->
                        assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorInvalidSyncStateData));
        assertThat(sync(inbox, PropertySet.IdOnly, none.getSyncState()).getCount()).isEqualTo(1);
    }

    @Test
    void getItemReturnsTheExactMimeAndErrorsPerMissingItem() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        byte[] mime = ("From: Bob <bob@example.org>\r\nTo: anna@contoso.com\r\nSubject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\n"
                + "Message-ID: <exact@example.org>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nПривет, <Anna> & co\r\n").getBytes(StandardCharsets.UTF_8);
        String id = exchange.createMessage(USER, inbox, mime);
        String gone = exchange.createMessage(USER, inbox, mime("Gone", "<gone@contoso.com>"));
        exchange.deleteMessage(USER, gone);

        ServiceResponseCollection<GetItemResponse> responses = service.bindToItems(
                List.of(new ItemId(id), new ItemId(gone)),
                new PropertySet(ItemSchema.MimeContent, ItemSchema.DateTimeReceived, ItemSchema.Subject,
                        EmailMessageSchema.InternetMessageId));

        Item item = responses.getResponseAtIndex(0).getItem();
        assertThat(item.getMimeContent().getContent()).isEqualTo(mime);
        assertThat(item.getMimeContent().getCharacterSet()).isEqualTo("UTF-8");
        assertThat(item.getSubject()).isEqualTo("Привет");
        assertThat(((EmailMessage) item).getInternetMessageId()).isEqualTo("<exact@example.org>");
        assertThat(item.getDateTimeReceived()).isCloseTo(new Date(), 10_000);
        assertThat(responses.getResponseAtIndex(1).getResult()).isEqualTo(ServiceResult.Error);
        assertThat(responses.getResponseAtIndex(1).getErrorCode()).isEqualTo(ServiceError.ErrorItemNotFound);

        Item bound = Item.bind(service, new ItemId(id), new PropertySet(ItemSchema.MimeContent));
        assertThat(bound.getMimeContent().getContent()).isEqualTo(mime);
        assertThatThrownBy(() -> Item.bind(service, new ItemId("not-an-id"), PropertySet.IdOnly))
                .isInstanceOfSatisfying(ServiceResponseException.class, e ->
                        assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorInvalidIdMalformed));
    }

    @Test
    void findFoldersWalksTheTreeWithARestrictionAndGetFolderResolvesWellKnownNames() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        String nested = exchange.addFolder(USER, inbox, "Creatio", "IPF.Note");
        FolderView view = new FolderView(100);
        view.setTraversal(FolderTraversal.Deep);
        view.setPropertySet(new PropertySet(BasePropertySet.IdOnly, FolderSchema.DisplayName, FolderSchema.FolderClass,
                FolderSchema.ParentFolderId, FolderSchema.ChildFolderCount));

        FindFoldersResults results = service.findFolders(new FolderId(WellKnownFolderName.MsgFolderRoot),
                new SearchFilter.IsEqualTo(FolderSchema.FolderClass, "IPF.Note"), view);

        List<String> names = results.getFolders().stream().map(FakeExchangeTest::displayName).toList();
        assertThat(names).contains("Inbox", "Sent Items", "Creatio").doesNotContain("Calendar", "Contacts");
        Folder creatio = results.getFolders().stream().filter(f -> "Creatio".equals(displayName(f))).findFirst().orElseThrow();
        assertThat(creatio.getId().getUniqueId()).isEqualTo(nested);
        assertThat(creatio.getParentFolderId().getUniqueId()).isEqualTo(inbox);
        assertThat(results.isMoreAvailable()).isFalse();

        FolderView firstTwo = new FolderView(2);
        firstTwo.setTraversal(FolderTraversal.Shallow);
        FindFoldersResults page = service.findFolders(WellKnownFolderName.MsgFolderRoot, firstTwo);
        assertThat(page.getFolders()).hasSize(2);
        assertThat(page.isMoreAvailable()).isTrue();
        assertThat(page.getNextPageOffset()).isEqualTo(2);
        assertThat(page.getTotalCount()).isEqualTo(9);

        Folder boundInbox = Folder.bind(service, WellKnownFolderName.Inbox);
        assertThat(boundInbox.getId().getUniqueId()).isEqualTo(inbox);
        assertThat(boundInbox.getDisplayName()).isEqualTo("Inbox");
        assertThat(boundInbox.getChildFolderCount()).isEqualTo(1);
        assertThat(Folder.bind(service, WellKnownFolderName.Calendar).getClass().getSimpleName()).isEqualTo("CalendarFolder");
    }

    @Test
    void sendAndSaveCopyRecordsTheMimeAndKeepsACopyInSentItems() throws Exception {
        byte[] mime = mime("Reply from Creatio", "<reply@contoso.com>");
        EmailMessage message = new EmailMessage(service);
        message.setMimeContent(new MimeContent("UTF-8", mime));

        message.sendAndSaveCopy();

        assertThat(exchange.sentMime(USER)).singleElement().isEqualTo(mime);
        List<String> sentItems = exchange.messageIds(USER, exchange.folderId(USER, "sentitems"));
        assertThat(sentItems).hasSize(1);
        Item copy = Item.bind(service, new ItemId(sentItems.getFirst()), new PropertySet(ItemSchema.MimeContent));
        assertThat(copy.getMimeContent().getContent()).isEqualTo(mime);

        EmailMessage draft = new EmailMessage(service);
        draft.setMimeContent(new MimeContent("UTF-8", mime("Draft", "<draft@contoso.com>")));
        draft.save(new FolderId(WellKnownFolderName.Drafts));
        assertThat(exchange.messageIds(USER, exchange.folderId(USER, "drafts"))).containsExactly(draft.getId().getUniqueId());
        assertThat(exchange.sentMime(USER)).hasSize(1);
    }

    @Test
    void categoriesSetThroughUpdateItemAreKept() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        String id = exchange.createMessage(USER, inbox, mime("Tag me", "<tag@contoso.com>"));
        ChangeCollection<ItemChange> before = sync(inbox, PropertySet.IdOnly, null);

        Item item = Item.bind(service, new ItemId(id), new PropertySet(ItemSchema.Categories));
        String changeKey = item.getId().getChangeKey();
        item.getCategories().add("Creatio");
        item.update(ConflictResolutionMode.AutoResolve);

        assertThat(exchange.categories(USER, id)).containsExactly("Creatio");
        assertThat(item.getId().getChangeKey()).isNotEqualTo(changeKey);
        Item reread = Item.bind(service, new ItemId(id), new PropertySet(ItemSchema.Categories));
        assertThat(reread.getCategories().getSize()).isEqualTo(1);
        assertThat(reread.getCategories().contains("Creatio")).isTrue();
        ChangeCollection<ItemChange> after = sync(inbox, PropertySet.IdOnly, before.getSyncState());
        assertThat(after.getCount()).isEqualTo(1);
        assertThat(after.getChangeAtIndex(0).getChangeType()).isEqualTo(ChangeType.Update);
    }

    @Test
    void findItemsFiltersAndSortsByDateTimeReceived() throws Exception {
        String inbox = exchange.folderId(USER, "inbox");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String threeDaysAgo = exchange.createMessage(USER, inbox, mime("Old", "<old@contoso.com>"), now.minus(3, ChronoUnit.DAYS));
        String twoDaysAgo = exchange.createMessage(USER, inbox, mime("Newer", "<newer@contoso.com>"), now.minus(2, ChronoUnit.DAYS));
        String yesterday = exchange.createMessage(USER, inbox, mime("Newest", "<newest@contoso.com>"), now.minus(1, ChronoUnit.DAYS));

        FindItemsResults<Item> found = service.findItems(new FolderId(inbox),
                new SearchFilter.IsGreaterThanOrEqualTo(ItemSchema.DateTimeReceived, Date.from(now.minus(2, ChronoUnit.DAYS))),
                new ItemView(50));

        assertThat(found.getItems()).extracting(item -> item.getId().getUniqueId()).containsExactly(yesterday, twoDaysAgo);
        assertThat(found.getTotalCount()).isEqualTo(2);
        assertThat(found.isMoreAvailable()).isFalse();
        assertThat(found.getItems().getFirst().getDateTimeReceived()).isEqualTo(Date.from(now.minus(1, ChronoUnit.DAYS)));

        ItemView page = new ItemView(1);
        page.getOrderBy().add(ItemSchema.DateTimeReceived, SortDirection.Ascending);
        SearchFilter window = new SearchFilter.SearchFilterCollection(LogicalOperator.And,
                new SearchFilter.IsGreaterThanOrEqualTo(ItemSchema.DateTimeReceived, Date.from(now.minus(4, ChronoUnit.DAYS))),
                new SearchFilter.IsLessThan(ItemSchema.DateTimeReceived, Date.from(now.minus(1, ChronoUnit.DAYS))));
        FindItemsResults<Item> first = service.findItems(new FolderId(inbox), window, page);
        assertThat(first.getItems()).extracting(item -> item.getId().getUniqueId()).containsExactly(threeDaysAgo);
        assertThat(first.isMoreAvailable()).isTrue();
        page.setOffset(first.getNextPageOffset());
        FindItemsResults<Item> second = service.findItems(new FolderId(inbox), window, page);
        assertThat(second.getItems()).extracting(item -> item.getId().getUniqueId()).containsExactly(twoDaysAgo);
        assertThat(second.isMoreAvailable()).isFalse();
    }

    @Test
    void wrongPasswordsAndRevokedTokensAreRefusedWith401() throws Exception {
        ExchangeService wrong = service(new WebCredentials(USER, "wrong"));
        assertThatThrownBy(() -> Folder.bind(wrong, WellKnownFolderName.Inbox))
                .isInstanceOfSatisfying(ServiceRequestException.class, e -> assertThat(httpStatus(e)).isEqualTo(401));

        ExchangeService byLocalPart = service(new WebCredentials("anna", PASSWORD, "CONTOSO"));
        assertThat(Folder.bind(byLocalPart, WellKnownFolderName.Inbox).getDisplayName()).isEqualTo("Inbox");

        String token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + UUID.randomUUID();
        exchange.acceptToken(USER, token);
        ExchangeService oauth = service(null);
        oauth.getHttpHeaders().put("Authorization", "Bearer " + token);
        assertThat(Folder.bind(oauth, WellKnownFolderName.Inbox).getDisplayName()).isEqualTo("Inbox");
        exchange.revokeToken(token);
        assertThatThrownBy(() -> Folder.bind(oauth, WellKnownFolderName.Inbox))
                .isInstanceOfSatisfying(ServiceRequestException.class, e -> assertThat(httpStatus(e)).isEqualTo(401));
        assertThat(exchange.requests()).containsExactly("GetFolder " + USER, "GetFolder " + USER);
    }

    @Test
    void scriptedHttpFailuresAndThrottlingHitTheNextCallOnly() throws Exception {
        exchange.failNextHttp("GetFolder", 503);
        assertThatThrownBy(() -> Folder.bind(service, WellKnownFolderName.Inbox))
                .isInstanceOfSatisfying(ServiceRequestException.class, e -> assertThat(httpStatus(e)).isEqualTo(503));
        // The failed response's headers are kept on the service (the JDK server writes "Retry-after").
        assertThat(service.getHttpResponseHeaders()).hasEntrySatisfying("Retry-after", value -> assertThat(value).isEqualTo("1"));
        // Throttling is a SOAP fault (HTTP 500): the library wraps it in a ServiceRequestException.
        exchange.failNext("GetFolder", "ErrorServerBusy");
        assertThatThrownBy(() -> Folder.bind(service, WellKnownFolderName.Inbox))
                .isInstanceOf(ServiceRequestException.class)
                .cause().isInstanceOfSatisfying(ServiceResponseException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorServerBusy);
                    assertThat(e.getResponse().getErrorDetails()).containsEntry("BackOffMilliseconds", "5000");
                });
        exchange.failNext("GetFolder", "ErrorMailboxStoreUnavailable");
        assertThatThrownBy(() -> Folder.bind(service, WellKnownFolderName.Inbox))
                .isInstanceOfSatisfying(ServiceResponseException.class, e ->
                        assertThat(e.getErrorCode()).isEqualTo(ServiceError.ErrorMailboxStoreUnavailable));
        assertThat(Folder.bind(service, WellKnownFolderName.Inbox).getDisplayName()).isEqualTo("Inbox");
    }

    @Test
    void autodiscoverAnswersTheEwsUrlAndFollowsARedirect() throws Exception {
        AutodiscoverService autodiscover = autodiscover();

        GetUserSettingsResponse settings = autodiscover.getUserSettings(USER, UserSettingName.InternalEwsUrl,
                UserSettingName.ExternalEwsUrl);

        assertThat(settings.getSettings().get(UserSettingName.InternalEwsUrl)).isEqualTo(exchange.ewsUrl());
        assertThat(settings.getSettings().get(UserSettingName.ExternalEwsUrl)).isEqualTo(exchange.ewsUrl());
        assertThat(exchange.requests()).containsExactly("GetUserSettings " + USER);

        try (FakeExchange elsewhere = new FakeExchange()) {
            elsewhere.addUser(USER, PASSWORD);
            exchange.redirectAutodiscoverTo(elsewhere.autodiscoverUrl());
            GetUserSettingsResponse redirected = autodiscover().getUserSettings(USER, UserSettingName.InternalEwsUrl);
            // The library follows a SOAP RedirectUrl on its own, with the same credentials, without
            // asking the redirection-URL validation callback: an allow-list has to be enforced by the caller.
            assertThat(redirected.getSettings().get(UserSettingName.InternalEwsUrl)).isEqualTo(elsewhere.ewsUrl());
            assertThat(elsewhere.requests()).containsExactly("GetUserSettings " + USER);
        }
    }

    // --- helpers ---

    private ExchangeService service(WebCredentials credentials) throws Exception {
        ExchangeService created = new ExchangeService(ExchangeVersion.Exchange2010_SP2);
        created.setUrl(URI.create(exchange.ewsUrl()));
        if (credentials != null) {
            created.setCredentials(credentials);
        }
        created.setTimeout(10_000);
        // Streaming needs server affinity (FakeExchange.affine), as the listener's connector sends it.
        created.getHttpHeaders().put("X-AnchorMailbox", USER);
        created.getHttpHeaders().put("X-PreferServerAffinity", "true");
        closeLater.add(created);
        return created;
    }

    private AutodiscoverService autodiscover() throws Exception {
        AutodiscoverService autodiscover = new AutodiscoverService(URI.create(exchange.autodiscoverUrl()),
                ExchangeVersion.Exchange2010_SP2);
        autodiscover.setCredentials(new WebCredentials(USER, PASSWORD));
        closeLater.add(autodiscover);
        return autodiscover;
    }

    private ChangeCollection<ItemChange> sync(String folderId, PropertySet shape, String syncState) throws Exception {
        return service.syncFolderItems(new FolderId(folderId), shape, null, 2, SyncFolderItemsScope.NormalItems, syncState);
    }

    /**
     * The HTTP status of a failed call: ews-java-api wraps it as ServiceRequestException ("The request
     * failed. The remote server returned an error: (401)Unauthorized") around another
     * ServiceRequestException around an HttpErrorException that has the code.
     */
    private static int httpStatus(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpErrorException http) {
                return http.getHttpErrorCode();
            }
        }
        return -1;
    }

    private static String displayName(Folder folder) {
        try {
            return folder.getDisplayName();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] mime(String subject, String messageId) {
        return ("From: Bob <bob@example.org>\r\nTo: anna@contoso.com\r\nSubject: " + subject + "\r\nMessage-ID: "
                + messageId + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Collects what a StreamingSubscriptionConnection reports, each open on a new connection object. */
    private final class Listener {
        final BlockingQueue<NotificationEvent> events = new LinkedBlockingQueue<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final BlockingQueue<SubscriptionErrorEventArgs> disconnects = new LinkedBlockingQueue<>();
        final BlockingQueue<SubscriptionErrorEventArgs> errors = new LinkedBlockingQueue<>();

        StreamingSubscriptionConnection open(StreamingSubscription subscription, int lifetimeMinutes) throws Exception {
            StreamingSubscriptionConnection connection = new StreamingSubscriptionConnection(service, lifetimeMinutes);
            connection.addSubscription(subscription);
            connection.addOnNotificationEvent((sender, args) -> {
                List<NotificationEvent> batch = new ArrayList<>();
                args.getEvents().forEach(batch::add);
                batchSizes.add(batch.size());
                events.addAll(batch);
            });
            connection.addOnDisconnect((sender, args) -> disconnects.add(args));
            connection.addOnSubscriptionError((sender, args) -> errors.add(args));
            connection.open();
            return connection;
        }

        List<ItemEvent> itemEvents(int count) throws InterruptedException {
            List<ItemEvent> received = new ArrayList<>();
            while (received.size() < count) {
                NotificationEvent event = events.poll(10, SECONDS);
                assertThat(event).as("notification event %d of %d", received.size() + 1, count).isNotNull();
                received.add((ItemEvent) event);
            }
            return received;
        }
    }
}
