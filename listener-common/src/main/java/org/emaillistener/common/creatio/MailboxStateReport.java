package org.emaillistener.common.creatio;

/**
 * The body of the {@code ProcessMailboxState} callback. {@code Avaliable} is the wire spelling.
 * With {@code Avaliable=false} both exception strings must be non-null; Creatio picks the message it
 * shows the user by the last dotted segment of {@code ExceptionClassName}.
 */
public record MailboxStateReport(
        String MailboxId,
        String SenderEmailAddress,
        String BpmUserName,
        String BpmUserWorkspace,
        boolean Avaliable,
        String ExceptionClassName,
        String ExceptionMessage,
        String Context) {

    public static MailboxStateReport available(SynchronizationCredentials mailbox) {
        return new MailboxStateReport(mailbox.Id().toString(), mailbox.SenderEmailAddress(), mailbox.BpmUser(),
                mailbox.BpmUserWorkspace(), true, "", "", mailbox.Context());
    }

    public static MailboxStateReport unavailable(SynchronizationCredentials mailbox, String exceptionClassName,
            String exceptionMessage) {
        return new MailboxStateReport(mailbox.Id().toString(), mailbox.SenderEmailAddress(), mailbox.BpmUser(),
                mailbox.BpmUserWorkspace(), false, exceptionClassName,
                exceptionMessage == null ? "" : exceptionMessage, mailbox.Context());
    }
}
