package org.emaillistener.primary.api;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the REST API.
 *
 * @param maxBodySize the largest request body accepted; a mailbox registration is a few kilobytes
 * @param maxSendBodySize the largest body of {@code /apiv2/email/send}, which carries the email's
 *        attachments in Base64 (a third larger than the files)
 * @param mailboxTimeout how long {@code /api/mailbox/validate} and {@code /api/mailbox/folders} may
 *        spend with the mail server, whatever it does; a user waits for the answer in Creatio
 * @param availabilityTimeout how long {@code /api/availability/app} waits for Creatio's answer
 * @param basePath an optional secret first path segment of the API ({@code /k7Qx…}), see
 *        {@link ApiBasePath}; empty: the API is at {@code /api} and {@code /apiv2}
 * @param allowGraphWithoutBasePath serve Microsoft Graph tenants without a base path: only where the
 *        API is protected another way (a NetworkPolicy that lets Creatio alone reach it). A Graph
 *        tenant's app-only token reads and sends as any mailbox of its domains, whatever credentials
 *        a caller gives, so without either the primary refuses to start
 */
@ConfigurationProperties("listener.api")
public record ApiProperties(
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("50MB") DataSize maxSendBodySize,
        @DefaultValue("30s") Duration mailboxTimeout,
        @DefaultValue("10s") Duration availabilityTimeout,
        @DefaultValue("") String basePath,
        @DefaultValue("false") boolean allowGraphWithoutBasePath) {
}
