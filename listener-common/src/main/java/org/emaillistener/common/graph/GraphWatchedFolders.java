package org.emaillistener.common.graph;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The folders of an Exchange Online mailbox that Creatio's mail comes from, read through Graph: those
 * it asked for ({@code FolderIds}), or with none the Inbox and every other mail folder except Drafts,
 * Junk Email, Deleted Items and the Outbox, as for EWS. The Inbox, when watched, comes first.
 */
public final class GraphWatchedFolders {

    /** Graph's well-known folders that are not where Creatio's mail comes from, as for EWS. */
    private static final List<String> UNWATCHED = List.of("drafts", "junkemail", "deleteditems", "outbox");

    private GraphWatchedFolders() {
    }

    public static List<String> of(GraphMailbox graph, List<String> folderIds) throws GraphException {
        if (!folderIds.isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(folderIds));
        }
        String inbox = graph.wellKnownFolderId("inbox");
        Set<String> unwatched = new LinkedHashSet<>();
        for (String name : UNWATCHED) {
            try {
                unwatched.add(graph.wellKnownFolderId(name));
            } catch (GraphException e) {
                if (!e.itemNotFound()) {
                    throw e;
                }
                // A mailbox without that folder: nothing to leave out.
            }
        }
        List<String> folders = new ArrayList<>();
        folders.add(inbox);
        for (GraphMailbox.GraphFolder folder : graph.folders()) {
            if (!folder.id().equals(inbox) && !unwatched.contains(folder.id())) {
                folders.add(folder.id());
            }
        }
        return folders;
    }
}
