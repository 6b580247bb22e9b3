package org.emaillistener.common.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImport.FolderProgress;
import org.emaillistener.common.history.HistoryImport.Status;
import org.junit.jupiter.api.Test;

/** What every {@link HistoryImports} adapter does; each adapter's test extends this. */
public abstract class HistoryImportsContract {

    private final UUID mailbox = UUID.randomUUID();

    protected abstract HistoryImports imports();

    @Test
    void startsAnImportOnlyOnceWhileItRuns() {
        assertThat(imports().start(mailbox, "SINCE 1-Nov-2023")).isTrue();
        assertThat(imports().start(mailbox, "SINCE 1-Nov-2023")).isFalse();
        assertThat(imports().start(mailbox, "UID 5:*")).isTrue();
        assertThat(imports().start(UUID.randomUUID(), "SINCE 1-Nov-2023")).isTrue();
    }

    @Test
    void aStartedImportIsRunningWithNoFoldersYet() {
        imports().start(mailbox, "ALL");

        HistoryImport started = imports().find(mailbox, "ALL").orElseThrow();
        assertThat(started.status()).isEqualTo(Status.RUNNING);
        assertThat(started.folders()).isEmpty();
        assertThat(imports().find(mailbox, "UID 1:*")).isEmpty();
    }

    @Test
    void keepsProgressAcrossReads() {
        imports().start(mailbox, "ALL");
        HistoryImport running = imports().find(mailbox, "ALL").orElseThrow().withFolders(List.of("INBOX", "Sent"));
        HistoryImport progressed = running.with("INBOX", running.progress("INBOX").found(3)
                .deliveredUpTo(Instant.parse("2023-11-01T10:00:00Z"), 7).finished());

        imports().save(progressed);

        HistoryImport read = imports().find(mailbox, "ALL").orElseThrow();
        assertThat(read).isEqualTo(progressed);
        assertThat(read.status()).isEqualTo(Status.RUNNING);
        assertThat(read.found()).isEqualTo(3);
        assertThat(read.delivered()).isEqualTo(1);
        assertThat(read.progress("INBOX").lastUid()).isEqualTo(7);
    }

    @Test
    void startsAnImportAgainOnceTheLastIsDone() {
        imports().start(mailbox, "ALL");
        HistoryImport running = imports().find(mailbox, "ALL").orElseThrow().withFolders(List.of("INBOX"));
        imports().save(running.with("INBOX", running.progress("INBOX").finished()));
        assertThat(imports().find(mailbox, "ALL").orElseThrow().status()).isEqualTo(Status.DONE);

        assertThat(imports().start(mailbox, "ALL")).isTrue();

        assertThat(imports().find(mailbox, "ALL").orElseThrow().status()).isEqualTo(Status.RUNNING);
    }

    @Test
    void anImportThatMadeNoProgressForLongNoLongerBlocksAnIdenticalRequest() {
        Instant stalled = Instant.now().minus(HistoryImport.STALE_AFTER).minus(Duration.ofMinutes(1));
        imports().save(new HistoryImport(mailbox, "ALL", Status.RUNNING,
                Map.of("INBOX", FolderProgress.NOT_STARTED.found(5)), stalled, stalled));

        assertThat(imports().start(mailbox, "ALL")).isTrue();

        HistoryImport fresh = imports().find(mailbox, "ALL").orElseThrow();
        assertThat(fresh.startedAt()).isAfter(stalled);
        assertThat(fresh.folders()).isEmpty();
    }

    @Test
    void listsEveryImportOfTheMailboxOldestFirst() {
        HistoryImport first = done("SINCE 1-Nov-2023", Instant.parse("2025-01-01T10:00:00Z"));
        HistoryImport second = done("ALL", Instant.parse("2025-01-02T10:00:00Z"));
        HistoryImport third = done("UID 5:*", Instant.parse("2025-01-03T10:00:00Z"));

        imports().save(second);
        imports().save(third);
        imports().save(first);

        assertThat(imports().of(mailbox)).containsExactly(first, second, third);
        assertThat(imports().of(UUID.randomUUID())).isEmpty();
    }

    @Test
    void forgetsEveryImportOfAClosedMailboxAndNoOtherMailboxs() {
        UUID other = UUID.randomUUID();
        imports().start(mailbox, "ALL");
        imports().start(mailbox, "UID 1:*");
        imports().start(other, "ALL");
        assertThat(imports().of(mailbox)).hasSize(2);

        imports().removeAll(mailbox);

        assertThat(imports().of(mailbox)).isEmpty();
        assertThat(imports().find(mailbox, "ALL")).isEmpty();
        assertThat(imports().of(other)).hasSize(1);
    }

    private HistoryImport done(String filter, Instant startedAt) {
        return new HistoryImport(mailbox, filter, Status.DONE,
                Map.of("INBOX", FolderProgress.NOT_STARTED.found(1).deliveredUpTo(startedAt, 1).finished()),
                startedAt, startedAt.plusSeconds(60));
    }

    @Test
    void anEndedImportStaysEndedWhateverARunningJobWritesAfter() {
        imports().start(mailbox, "ALL");
        HistoryImport running = imports().find(mailbox, "ALL").orElseThrow().withFolders(List.of("INBOX"));
        imports().save(running);

        assertThat(imports().end(mailbox, "ALL")).isTrue();
        imports().save(running.with("INBOX", running.progress("INBOX").found(3)));

        HistoryImport ended = imports().find(mailbox, "ALL").orElseThrow();
        assertThat(ended.status()).isEqualTo(Status.ENDED);
        assertThat(ended.finished()).isTrue();
        assertThat(imports().end(mailbox, "ALL")).isFalse();
        assertThat(imports().end(mailbox, "UID 1:*")).isFalse();
        assertThat(imports().start(mailbox, "ALL")).isTrue();
        assertThat(imports().find(mailbox, "ALL").orElseThrow().status()).isEqualTo(Status.RUNNING);
    }
}
