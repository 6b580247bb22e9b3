package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisHistoryImportsTest {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisHistoryImports imports = new RedisHistoryImports(store.redis, store.keys);
    private final UUID mailbox = UUID.randomUUID();

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void startsAnImportOnlyOnceWhileItRuns() {
        assertThat(imports.start(mailbox, "SINCE 1-Nov-2023")).isTrue();
        assertThat(imports.start(mailbox, "SINCE 1-Nov-2023")).isFalse();
        assertThat(imports.start(mailbox, "UID 5:*")).isTrue();
    }

    @Test
    void keepsProgressAcrossReadsAndStartsAgainOnceDone() {
        imports.start(mailbox, "ALL");
        HistoryImport running = imports.find(mailbox, "ALL").orElseThrow().withFolders(List.of("INBOX", "Sent"));
        HistoryImport progressed = running.with("INBOX", running.progress("INBOX").found(3)
                .deliveredUpTo(Instant.parse("2023-11-01T10:00:00Z"), 7).finished());
        imports.save(progressed);

        HistoryImport read = imports.find(mailbox, "ALL").orElseThrow();
        assertThat(read.status()).isEqualTo(HistoryImport.Status.RUNNING);
        assertThat(read.found()).isEqualTo(3);
        assertThat(read.delivered()).isEqualTo(1);
        assertThat(read.progress("INBOX").lastUid()).isEqualTo(7);

        imports.save(read.with("Sent", read.progress("Sent").finished()));
        assertThat(imports.find(mailbox, "ALL").orElseThrow().status()).isEqualTo(HistoryImport.Status.DONE);
        assertThat(imports.start(mailbox, "ALL")).isTrue();
    }

    @Test
    void forgetsEveryImportOfAClosedMailbox() {
        imports.start(mailbox, "ALL");
        imports.start(mailbox, "UID 1:*");

        assertThat(imports.of(mailbox)).hasSize(2);
        imports.removeAll(mailbox);

        assertThat(imports.of(mailbox)).isEmpty();
    }
}
