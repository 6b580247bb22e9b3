package org.emaillistener.common.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders of an Exchange Online mailbox that Creatio's mail comes from, read through Graph: those
 * it asked for ({@code FolderIds}, by their Graph ids even where Creatio has them in EWS form), or
 * with none the Inbox and every other mail folder except Drafts, Junk Email, Deleted Items and the
 * Outbox, as for EWS. The Inbox, when watched, comes first.
 */
public final class GraphWatchedFolders {

    private static final Logger log = LoggerFactory.getLogger(GraphWatchedFolders.class);
    /** Graph's well-known folders that are not where Creatio's mail comes from, as for EWS. */
    private static final List<String> UNWATCHED = List.of("drafts", "junkemail", "deleteditems", "outbox");

    private GraphWatchedFolders() {
    }

    public static List<String> of(GraphMailbox graph, List<String> folderIds) throws GraphException {
        if (!folderIds.isEmpty()) {
            return graphIds(graph, folderIds);
        }
        List<String> names = new ArrayList<>(List.of("inbox"));
        names.addAll(UNWATCHED);
        // One $batch: a mailbox may lack some of them.
        Map<String, String> wellKnown = graph.folderIds(names);
        String inbox = wellKnown.get("inbox");
        if (inbox == null) {
            throw new GraphException("The mailbox has no Inbox", 404, null, null);
        }
        Set<String> unwatched = new LinkedHashSet<>(wellKnown.values());
        List<String> folders = new ArrayList<>();
        folders.add(inbox);
        for (GraphMailbox.GraphFolder folder : graph.folders()) {
            if (!unwatched.contains(folder.id())) {
                folders.add(folder.id());
            }
        }
        return folders;
    }

    /**
     * The Graph ids of the picked folders. Each id is looked up as a folder (one {@code $batch}); those
     * Graph refuses (an EWS id, from a mailbox Creatio listed while it was served over EWS) are
     * translated in one {@code translateExchangeIds} call. Nothing depends on what an id looks like. An id Graph can
     * translate neither way stays as it is: its folder's sync then fails, as an unknown folder's does.
     */
    private static List<String> graphIds(GraphMailbox graph, List<String> picked) throws GraphException {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(picked));
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> found = graph.folderIds(distinct);
        List<String> refused = new ArrayList<>();
        for (String id : distinct) {
            ids.put(id, found.getOrDefault(id, id));
            if (!found.containsKey(id)) {
                refused.add(id);
            }
        }
        if (!refused.isEmpty()) {
            for (GraphMailbox.IdTranslation translation : graph.folderIdsFromEws(refused)) {
                if (translation.targetId() != null) {
                    ids.put(translation.sourceId(), translation.targetId());
                } else {
                    log.warn("Folder {} is neither a Graph nor an EWS folder id Graph knows: {}",
                            translation.sourceId(), translation.error());
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids.values()));
    }
}
