package org.emaillistener.common.imap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;

/**
 * The folders of a mailbox that Creatio's mail comes from: those it asked for ({@code FolderIds},
 * as {@code /api/mailbox/folders} named them), or with none INBOX and every other folder that holds
 * mail, except drafts, junk and trash: those are not mail a CRM should record. INBOX, when watched,
 * comes first.
 */
public final class WatchedFolders {

    private static final Set<String> UNWATCHED_SPECIAL_USE = Set.of("\\Drafts", "\\Junk", "\\Trash");

    private WatchedFolders() {
    }

    /** @throws MessagingException also when a requested folder does not exist */
    public static List<String> of(IMAPStore store, List<String> folderIds) throws MessagingException {
        Set<String> names = new LinkedHashSet<>();
        if (folderIds.isEmpty()) {
            names.add("INBOX");
            for (Folder folder : store.getDefaultFolder().list("*")) {
                if (watchable((IMAPFolder) folder)) {
                    names.add(folder.getFullName());
                }
            }
        } else {
            if (folderIds.stream().anyMatch("INBOX"::equalsIgnoreCase)) {
                names.add("INBOX");
            }
            folderIds.stream().filter(name -> !"INBOX".equalsIgnoreCase(name)).forEach(names::add);
        }
        List<String> result = new ArrayList<>();
        for (String name : names) {
            IMAPFolder folder = (IMAPFolder) store.getFolder(name);
            if (!folder.exists()) {
                throw new MessagingException("folder " + name + " does not exist");
            }
            // /api/mailbox/folders lists a parent that holds no mail so that the tree is whole; a user
            // may still pick it. There is nothing to watch in it.
            if (selectable(folder)) {
                result.add(name);
            }
        }
        if (result.isEmpty()) {
            throw new MessagingException("none of the folders " + names + " can hold mail");
        }
        return result;
    }

    private static boolean watchable(IMAPFolder folder) throws MessagingException {
        if (!selectable(folder) || folder.getFullName().equalsIgnoreCase("INBOX")) {
            return false;
        }
        for (String attribute : folder.getAttributes()) {
            if (UNWATCHED_SPECIAL_USE.stream().anyMatch(attribute::equalsIgnoreCase)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the folder can be opened and hold mail (not a mere parent, not a ghost). */
    public static boolean selectable(IMAPFolder folder) throws MessagingException {
        if ((folder.getType() & Folder.HOLDS_MESSAGES) == 0) {
            return false;
        }
        for (String attribute : folder.getAttributes()) {
            if (attribute.equalsIgnoreCase("\\Noselect") || attribute.equalsIgnoreCase("\\NonExistent")) {
                return false;
            }
        }
        return true;
    }
}
