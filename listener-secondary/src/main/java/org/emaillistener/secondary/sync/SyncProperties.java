package org.emaillistener.secondary.sync;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/**
 * How a folder is synced.
 *
 * @param maxMessagesPerJob how many messages one job delivers before it hands the rest to a
 *        follow-up job, so that a large backlog neither holds the mailbox lock for long nor starves
 *        other mailboxes
 * @param lockTtl the TTL of a syncer's mailbox lock, extended every third of it while the syncer works:
 *        a crashed syncer's lock expires after it
 * @param cursorSaveTimeout how long saving the cursor after Creatio's 2xx is retried before the job
 *        fails (and the message would be delivered again)
 * @param maxRejections how often Creatio may refuse (4xx) the same message before it is parked and
 *        the mail behind it goes on
 * @param synchronizedKeyword the IMAP keyword set on delivered mail when Creatio asks for
 *        {@code MarkEmailsAsSynchronized}
 * @param maxAttachmentSize how much attachment content (decoded) one delivered email may carry;
 *        attachments beyond it are left out and named in the email's {@code X-EmailListener-Omitted}
 *        header. Creatio stores attachments in its database and receives them Base64-encoded in one
 *        request, so very large ones are a burden to it rather than a service to the user.
 * @param spoolDirectory where a message and its callback body are written while they are delivered;
 *        empty means {@code java.io.tmpdir}
 */
@Validated
@ConfigurationProperties("listener.sync")
public record SyncProperties(
        @DefaultValue("100") @Min(1) int maxMessagesPerJob,
        @DefaultValue("1m") Duration lockTtl,
        @DefaultValue("30s") Duration cursorSaveTimeout,
        @DefaultValue("5") @Min(1) int maxRejections,
        @DefaultValue("Creatio") @Pattern(regexp = "[^\\s(){%*\"\\\\\\]]+") String synchronizedKeyword,
        @DefaultValue("25MB") DataSize maxAttachmentSize,
        @DefaultValue("") String spoolDirectory) {

    /** The directory named by {@code spoolDirectory}, else the JVM's temporary directory. */
    public Path spoolPath() {
        return Path.of(spoolDirectory.isBlank() ? System.getProperty("java.io.tmpdir") : spoolDirectory);
    }
}
