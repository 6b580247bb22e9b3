package org.emaillistener.common.creatio;

/**
 * The body of the {@code RefreshToken} callback. Creatio answers it only after it has called the
 * listener's {@code /api/listeners/update} with a fresh token.
 */
public record TokenRefreshRequest(String MailboxId, String SenderEmailAddress, String BpmUserName,
        String BpmUserWorkspace) {

    public static TokenRefreshRequest of(SynchronizationCredentials mailbox) {
        return new TokenRefreshRequest(mailbox.Id().toString(), mailbox.SenderEmailAddress(), mailbox.BpmUser(),
                mailbox.BpmUserWorkspace());
    }
}
