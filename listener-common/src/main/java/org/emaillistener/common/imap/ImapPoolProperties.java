package org.emaillistener.common.imap;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;

/**
 * How the secondary keeps logged-in IMAP connections between sync jobs ({@link ImapConnections}).
 *
 * @param idleTimeout how long a connection may wait unused for the next job of its mailbox before it is
 *        logged out; well inside the 30 minutes after which servers drop a silent client
 * @param maxIdlePerMailbox how many unused connections one mailbox keeps: one syncer works on a
 *        mailbox at a time (it holds the mailbox lock), so one is enough
 * @param maxIdle how many unused connections the process keeps in all; past it the longest unused
 *        one is logged out. 0 turns reuse off: every job logs in and out again.
 */
@Validated
@ConfigurationProperties("listener.imap.pool")
public record ImapPoolProperties(
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("1") @Min(0) int maxIdlePerMailbox,
        @DefaultValue("500") @Min(0) int maxIdle) {
}
