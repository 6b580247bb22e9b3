package org.emaillistener.common.exchange;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One Exchange mailbox as the listener uses it, whatever EWS client library does the work. Folders
 * and items are named by their EWS ids. Every call may block on the server; none holds a lock.
 */
public interface ExchangeMailbox extends AutoCloseable {

    /** Logs in by reading the Inbox: what validation and a watcher's first step need. */
    void verify() throws ExchangeException;

    /**
     * The folders below the mailbox's root, all levels, of the given class ({@code IPF.Note} for
     * mail, {@code IPF.Appointment}, {@code IPF.Task}…), or of every class when it is blank.
     */
    List<ExchangeFolder> folders(String folderClass) throws ExchangeException;

    /** The id of a well-known folder ({@code inbox}, {@code sentitems}, {@code drafts}, …). */
    String wellKnownFolderId(String name) throws ExchangeException;

    /**
     * The changes of a folder after {@code syncState} (null: from the folder's beginning): the items
     * created since, oldest first, at most {@code max}.
     */
    SyncPage sync(String folderId, String syncState, int max) throws ExchangeException;

    /** Writes the item's MIME content to {@code mime}; returns what the delivery needs besides. */
    ExchangeItem fetch(String itemId, OutputStream mime) throws ExchangeException;

    /** Adds a category (Outlook's coloured label) to the item, keeping those it has. */
    void categorize(String itemId, String category) throws ExchangeException;

    /**
     * Sends a MIME message and saves a copy in Sent Items.
     *
     * @param blindCopies the Bcc recipients, which the MIME content does not name
     */
    void send(byte[] mime, List<String> blindCopies) throws ExchangeException;

    /**
     * The folder's items received in {@code [from, until)}, oldest first, from {@code offset} on, at
     * most {@code max}: a history import's page.
     */
    ItemPage received(String folderId, Instant from, Instant until, int offset, int max) throws ExchangeException;

    /** A streaming subscription to new mail in these folders; it outlives the connections that carry it. */
    String subscribe(List<String> folderIds) throws ExchangeException;

    /**
     * Opens a streaming connection for the subscription; it delivers to {@code events} until the
     * server ends it after {@code lifetime} (1 to 30 minutes), it breaks, or it is closed.
     */
    ExchangeStream stream(String subscriptionId, Duration lifetime, ExchangeStream.Events events)
            throws ExchangeException;

    @Override
    void close();

    /** A folder as {@code FindFolder} lists it. */
    record ExchangeFolder(String id, String name, String parentId, String folderClass) {
    }

    /** An item a folder's sync reported as created. */
    record ItemRef(String id, Instant receivedAt) {
    }

    /**
     * @param created the items created after the old state, oldest first
     * @param syncState the state to ask from next time
     * @param more whether the folder has more changes than this page held
     */
    record SyncPage(List<ItemRef> created, String syncState, boolean more) {
    }

    /** @param more whether items follow this page */
    record ItemPage(List<ItemRef> items, boolean more) {
    }

    /** What delivery reads of an item besides its MIME content. */
    record ExchangeItem(String id, Instant receivedAt, String internetMessageId, String subject) {
    }
}
