package org.emaillistener.common.cursor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** What every {@link Cursors} adapter does; each adapter's test extends this. */
public abstract class CursorsContract {

    protected final UUID mailbox = UUID.randomUUID();

    protected abstract Cursors cursors();

    @Test
    void returnsTheSavedCursorOfEachFolder() {
        SyncCursor inbox = new SyncCursor(1700000000L, 42, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        SyncCursor sent = new SyncCursor(1700000001L, 7, null);

        cursors().save(mailbox, "INBOX", inbox);
        cursors().save(mailbox, "Sent Items", sent);

        assertThat(cursors().find(mailbox, "INBOX")).contains(inbox);
        assertThat(cursors().find(mailbox, "Sent Items")).contains(sent);
        assertThat(cursors().find(mailbox, "Drafts")).isEmpty();
        assertThat(cursors().find(UUID.randomUUID(), "INBOX")).isEmpty();
    }

    @Test
    void keepsAnExchangeFoldersSyncStateUnderItsFolderId() {
        String folderId = "AAMkADY3ZTk0MGU0LWNlMjYtNDI3Yi1hOGQ1LTkwYjFjOWUwMjY1MQAuAAAAAACMR8dQ+Ys5JkVNCY2OxqYAAQ==";
        SyncCursor firstPass = SyncCursor.fromFolderStart(Instant.parse("2026-11-28T09:00:00Z"), null);
        SyncCursor paged = firstPass.deliveredInPage(Instant.parse("2026-11-28T09:00:05Z"))
                .pageDone("H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee+", true);

        cursors().save(mailbox, folderId, paged);

        assertThat(cursors().find(mailbox, folderId)).contains(paged);
        assertThat(paged.skipBefore()).isEqualTo(Instant.parse("2026-11-28T09:00:00Z"));
        assertThat(paged.recheckUpTo()).isZero();
    }

    @Test
    void keepsARefusedMessageAndTheRangeToRecheck() {
        SyncCursor cursor = new SyncCursor(1, 10, Instant.parse("2025-01-01T00:00:00Z")).recheckingUpTo(40)
                .rejected(12).rejected(12);

        cursors().save(mailbox, "INBOX", cursor);

        assertThat(cursors().find(mailbox, "INBOX")).contains(cursor);
        assertThat(cursor.rejections()).isEqualTo(2);
    }

    @Test
    void aSavedCursorReplacesTheFoldersLastOne() {
        SyncCursor first = new SyncCursor(1, 10, null);

        cursors().save(mailbox, "INBOX", first);
        cursors().save(mailbox, "INBOX", first.advancedTo(11, Instant.parse("2025-01-01T00:00:00Z")));

        assertThat(cursors().find(mailbox, "INBOX")).contains(new SyncCursor(1, 11, Instant.parse("2025-01-01T00:00:00Z")));
    }

    @Test
    void saveIfAbsentSavesTheFirstCursorOfAFolder() {
        SyncCursor cursor = new SyncCursor(1, 10, null);

        assertThat(cursors().saveIfAbsent(mailbox, "INBOX", cursor)).isEqualTo(cursor);

        assertThat(cursors().find(mailbox, "INBOX")).contains(cursor);
    }

    @Test
    void saveIfAbsentKeepsAndReturnsTheCursorInForce() {
        SyncCursor inForce = new SyncCursor(1, 10, null);
        cursors().save(mailbox, "INBOX", inForce);

        assertThat(cursors().saveIfAbsent(mailbox, "INBOX", new SyncCursor(1, 99, null))).isEqualTo(inForce);

        assertThat(cursors().find(mailbox, "INBOX")).contains(inForce);
    }

    @Test
    void removeAllForgetsEveryFolderOfTheMailboxAndNoOtherMailboxs() {
        List<String> folders = List.of("INBOX", "Sent Items", "Archive:2024", "Входящие", "a*b?[c]");
        folders.forEach(folder -> cursors().save(mailbox, folder, new SyncCursor(1, 1, null)));
        cursors().saveIfAbsent(mailbox, "Junk", new SyncCursor(1, 1, null));
        UUID other = UUID.randomUUID();
        cursors().save(other, "INBOX", new SyncCursor(2, 2, null));

        cursors().removeAll(mailbox);

        folders.forEach(folder -> assertThat(cursors().find(mailbox, folder)).isEmpty());
        assertThat(cursors().find(mailbox, "Junk")).isEmpty();
        assertThat(cursors().find(other, "INBOX")).contains(new SyncCursor(2, 2, null));
    }

    @Test
    void listsEveryCursorOfTheMailboxByFolder() {
        SyncCursor inbox = new SyncCursor(1700000000L, 42, null);
        SyncCursor sent = new SyncCursor(1700000001L, 7, null);
        cursors().save(mailbox, "INBOX", inbox);
        cursors().save(mailbox, "Sent Items", sent);
        cursors().save(UUID.randomUUID(), "INBOX", sent);

        assertThat(cursors().of(mailbox)).containsExactly(java.util.Map.entry("INBOX", inbox),
                java.util.Map.entry("Sent Items", sent));
        assertThat(cursors().of(UUID.randomUUID())).isEmpty();
    }
}
