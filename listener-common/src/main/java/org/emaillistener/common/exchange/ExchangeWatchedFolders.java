package org.emaillistener.common.exchange;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The folders of an Exchange mailbox that Creatio's mail comes from: those it asked for
 * ({@code FolderIds}, ids as {@code /api/mailbox/folders} listed them), or with none the Inbox and
 * every other mail folder ({@code IPF.Note}) except Drafts, Junk Email, Deleted Items and the
 * Outbox, as for IMAP. The Inbox, when watched, comes first.
 */
public final class ExchangeWatchedFolders {

    private static final List<String> UNWATCHED = List.of("drafts", "junkemail", "deleteditems", "outbox");

    private ExchangeWatchedFolders() {
    }

    public static List<String> of(ExchangeMailbox mailbox, List<String> folderIds) throws ExchangeException {
        if (!folderIds.isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(folderIds));
        }
        String inbox = mailbox.wellKnownFolderId("inbox");
        Set<String> unwatched = new LinkedHashSet<>();
        for (String name : UNWATCHED) {
            unwatched.add(mailbox.wellKnownFolderId(name));
        }
        List<String> folders = new ArrayList<>();
        folders.add(inbox);
        for (ExchangeMailbox.ExchangeFolder folder : mailbox.folders("IPF.Note")) {
            if (!folder.id().equals(inbox) && !unwatched.contains(folder.id())) {
                folders.add(folder.id());
            }
        }
        return folders;
    }
}
