package org.emaillistener.common.history;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The history imports of each mailbox, keyed by mailbox and filter. */
public interface HistoryImports {

    /**
     * Starts an import, unless an identical one (same mailbox, same filter) is still running.
     *
     * @return whether a new import started
     */
    boolean start(UUID mailboxId, String filter);

    Optional<HistoryImport> find(UUID mailboxId, String filter);

    /** Every import of the mailbox, running or done, oldest first. */
    List<HistoryImport> of(UUID mailboxId);

    /** Records progress; an import that was ended stays ended, whatever a job that was running writes. */
    void save(HistoryImport historyImport);

    /** Ends a running import: its remaining jobs do nothing. False if it was not running. */
    boolean end(UUID mailboxId, String filter);

    void removeAll(UUID mailboxId);
}
