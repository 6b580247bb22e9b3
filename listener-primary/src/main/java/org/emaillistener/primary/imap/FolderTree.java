package org.emaillistener.primary.imap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.imap.WatchedFolders;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;

/**
 * A mailbox's folders as Creatio's folder tree, from one {@code LIST "" "*"}.
 * <ul>
 * <li>{@code Id} is the full name as Angus decodes it from IMAP's modified UTF-7: the string the
 * watcher later hands to {@code store.getFolder(id)} when Creatio sends it back in
 * {@code FolderIds}, so a non-ASCII name round-trips.</li>
 * <li>{@code Name} is the last segment after the server's hierarchy delimiter (GreenMail and
 * Courier use '.', Dovecot usually '/'); {@code ParentId} is the full name before it.</li>
 * <li>A folder that cannot hold mail ({@code \Noselect}, {@code \NonExistent}) is listed only when
 * folders sit below it, and a parent the server left out of the LIST is added: every
 * {@code ParentId} then names a listed folder, so Creatio can draw the whole tree. Such a folder
 * alone holds nothing to watch and is left out.</li>
 * <li>INBOX comes first, then the tree in name order, every parent before its children.</li>
 * </ul>
 */
final class FolderTree {

    private static final Comparator<FolderPath> CREATIO_ORDER = Comparator
            .comparing((FolderPath path) -> !path.underInbox())
            .thenComparing(FolderPath::segments, FolderTree::segmentWise);

    private FolderTree() {
    }

    static List<MailboxFolder> of(IMAPStore store) throws MessagingException {
        Map<String, FolderPath> folders = new LinkedHashMap<>();
        Set<String> holdingMail = new HashSet<>();
        for (Folder folder : store.getDefaultFolder().list("*")) {
            FolderPath path = new FolderPath(folder.getFullName(), folder.getSeparator());
            folders.put(path.id(), path);
            if (WatchedFolders.selectable((IMAPFolder) folder)) {
                holdingMail.add(path.id());
            }
        }
        Set<String> parents = new HashSet<>();
        for (FolderPath path : List.copyOf(folders.values())) {
            for (FolderPath parent = path.parent(); parent != null; parent = parent.parent()) {
                parents.add(parent.id());
                folders.putIfAbsent(parent.id(), parent);
            }
        }
        return folders.values().stream()
                .filter(path -> holdingMail.contains(path.id()) || parents.contains(path.id()))
                .sorted(CREATIO_ORDER)
                .map(path -> new MailboxFolder(path.id(), path.name(),
                        path.parent() == null ? null : path.parent().id()))
                .toList();
    }

    private static int segmentWise(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int order = String.CASE_INSENSITIVE_ORDER.compare(a.get(i), b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * A folder's full name and the server's hierarchy delimiter for it; {@code '\0'} when the server
     * has none (NIL), which makes every folder a top-level one.
     */
    private record FolderPath(String id, char separator) {

        FolderPath parent() {
            int at = separator == '\0' ? -1 : id.lastIndexOf(separator);
            return at <= 0 ? null : new FolderPath(id.substring(0, at), separator);
        }

        String name() {
            FolderPath parent = parent();
            return parent == null ? id : id.substring(parent.id().length() + 1);
        }

        List<String> segments() {
            FolderPath parent = parent();
            if (parent == null) {
                return List.of(id);
            }
            List<String> segments = new ArrayList<>(parent.segments());
            segments.add(name());
            return segments;
        }

        /** INBOX itself, or (on servers whose personal folders live below it) one of its children. */
        boolean underInbox() {
            return segments().getFirst().equalsIgnoreCase("INBOX");
        }
    }
}
