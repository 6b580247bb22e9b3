package org.emaillistener.common.creatio;

/**
 * One folder in the answer to {@code /api/mailbox/folders}. {@code Id} is what Creatio sends back in
 * {@code FolderIds} when the user picks the folder; {@code ParentId} is the {@code Id} of the folder
 * above it, or null at the top.
 */
public record MailboxFolder(String Id, String Name, String ParentId) {
}
