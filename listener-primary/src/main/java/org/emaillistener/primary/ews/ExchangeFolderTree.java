package org.emaillistener.primary.ews;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.exchange.ExchangeMailbox.ExchangeFolder;

/**
 * An Exchange mailbox's folders as Creatio's folder tree: {@code Id} is the EWS folder id (what the
 * watcher subscribes to when it comes back in {@code FolderIds}), {@code Name} the display name,
 * {@code ParentId} the parent's id when the parent is listed, else null (the mailbox root, or a
 * parent of another folder class), so that every {@code ParentId} names a listed folder. Parents
 * come before their children, siblings in name order.
 */
public final class ExchangeFolderTree {

    private ExchangeFolderTree() {
    }

    public static List<MailboxFolder> of(List<ExchangeFolder> folders) {
        Set<String> listed = folders.stream().map(ExchangeFolder::id).collect(Collectors.toSet());
        List<MailboxFolder> tree = new ArrayList<>();
        add(folders, listed, null, tree);
        return tree;
    }

    private static void add(List<ExchangeFolder> folders, Set<String> listed, String parentId,
            List<MailboxFolder> tree) {
        folders.stream()
                .filter(folder -> parentId == null ? !listed.contains(String.valueOf(folder.parentId()))
                        : parentId.equals(folder.parentId()))
                .sorted(Comparator.comparing(ExchangeFolder::name, String.CASE_INSENSITIVE_ORDER))
                .forEach(folder -> {
                    tree.add(new MailboxFolder(folder.id(), folder.name(), parentId));
                    add(folders, listed, folder.id(), tree);
                });
    }
}
