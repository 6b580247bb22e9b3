package org.emaillistener.common.creatio;

import java.util.List;

/** The body of the {@code ProcessFullEmail} callback: new mail of one mailbox. */
public record FullEmailDelivery(List<Email> Emails, SubscriptionInfo SubscriptionInfo) {

    public FullEmailDelivery {
        Emails = Emails == null ? List.of() : List.copyOf(Emails);
    }

    /** Who the mail is for; the Bpm* values are echoed from the mailbox's credentials. */
    public record SubscriptionInfo(
            String Id,
            String SysAdminUnit,
            String MailboxId,
            String WorkspaceName,
            String TimeZoneId,
            long EventTimeStamp) {

        public static SubscriptionInfo of(SynchronizationCredentials mailbox, long eventTimeStamp) {
            String id = mailbox.Id().toString();
            return new SubscriptionInfo(id, mailbox.BpmUser(), id, mailbox.BpmUserWorkspace(),
                    mailbox.BpmUserTimeZone(), eventTimeStamp);
        }
    }
}
