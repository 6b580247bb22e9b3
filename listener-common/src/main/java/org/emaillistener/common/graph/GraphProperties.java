package org.emaillistener.common.graph;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service reaches Exchange Online through Microsoft Graph. With no tenant configured Graph is
 * off and every Exchange mailbox is served over EWS, as before.
 *
 * @param tenants the Microsoft Entra app registrations, one per tenant, each with the mail domains
 *        whose mailboxes it serves
 * @param authorityHost where tokens come from (Microsoft Entra's global cloud by default)
 * @param graphUrl Graph's base address, version included
 * @param pollInterval how often each Graph mailbox's folders are checked for changes (spread out
 *        across mailboxes)
 * @param onlineHosts the EWS hosts that mean Exchange Online
 * @param requestTimeout how long one Graph call may take
 * @param deltaPageSize messages asked for per delta page
 * @param maxRetryAfter the longest {@code Retry-After} of a throttled call that is waited out; a
 *        longer one fails the call (its job is retried later)
 * @param notificationUrl the public HTTPS address of this service's {@code /graph/notifications}, where
 *        Graph posts change and lifecycle notifications (to any replica); empty: no notifications, the
 *        folders' deltas are polled every {@code poll-interval}
 * @param subscriptionLifetime how long each change-notification subscription is asked for, at most
 *        {@link GraphMailbox#MAX_SUBSCRIPTION_LIFETIME} (4,230 minutes, Graph's cap for Outlook
 *        messages); it is renewed once half of what Graph granted has passed
 * @param safetyPollInterval with notifications, how often each folder's delta is still checked, for
 *        a notification Graph never sent or that never arrived
 * @param requireVerifiedSignIn whether a caller's Microsoft 365 sign-in token must have a signature the
 *        listener can check against Entra's published keys ({@link GraphSignIn}); false: a token whose
 *        signature cannot be checked has only its claims checked, and the API's base path and each
 *        tenant's {@code creatio-hosts} alone protect its mailboxes
 */
@ConfigurationProperties("listener.graph")
public record GraphProperties(
        @DefaultValue List<Tenant> tenants,
        @DefaultValue("https://login.microsoftonline.com") String authorityHost,
        @DefaultValue("https://graph.microsoft.com/v1.0") String graphUrl,
        @DefaultValue("30s") Duration pollInterval,
        @DefaultValue({ "outlook.office365.com", "outlook.office.com" }) List<String> onlineHosts,
        @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue("50") int deltaPageSize,
        @DefaultValue("60s") Duration maxRetryAfter,
        String notificationUrl,
        @DefaultValue("70h") Duration subscriptionLifetime,
        @DefaultValue("15m") Duration safetyPollInterval,
        @DefaultValue("true") boolean requireVerifiedSignIn) {

    /** Whether Graph posts change notifications to this service, or its folders are polled. */
    public boolean notifications() {
        return notificationUrl != null && !notificationUrl.isBlank();
    }

    /**
     * One app registration with the application permissions {@code Mail.ReadWrite} and {@code Mail.Send},
     * proving itself with exactly one credential: a client secret or a certificate. Blank values count
     * as unset (a chart or compose file renders an absent value as an empty string).
     *
     * @param clientSecret the client secret, or null with a certificate
     * @param certificatePath a certificate whose public part is uploaded to the app registration, with
     *        its private key: a PKCS#12 file (.p12, .pfx), or PEM with the certificate (intermediates
     *        may follow) and, unless {@code certificateKeyPath} names another file, the private key. The
     *        key is RSA (msal4j signs its client assertions RS256); in PEM unencrypted, PKCS#8 or PKCS#1.
     * @param certificateKeyPath the PEM private key when it is a file of its own, as a
     *        {@code kubernetes.io/tls} Secret's {@code tls.key} next to its {@code tls.crt}
     * @param certificatePassword the PKCS#12 file's password, if it has one
     * @param domains the mail domains (the part after {@code @}) of the mailboxes it serves
     * @param creatioHosts the hosts of the Creatio sites whose {@code BpmEndpoint} may receive the mail of
     *        these mailboxes (each also on {@code listener.callbacks.allowed-hosts}): the app registration
     *        reads every mailbox of the tenant, so its mail goes only where the operator says; a host in a
     *        request proves nothing by itself. A primary does not start with a tenant that names none.
     */
    public record Tenant(String tenantId, String clientId, String clientSecret, String certificatePath,
            String certificateKeyPath, String certificatePassword, @DefaultValue List<String> domains,
            @DefaultValue List<String> creatioHosts) {

        public Tenant {
            clientSecret = unlessBlank(clientSecret);
            certificatePath = unlessBlank(certificatePath);
            certificateKeyPath = unlessBlank(certificateKeyPath);
            certificatePassword = unlessBlank(certificatePassword);
            String registration = "Graph tenant " + tenantId + " (client " + clientId + ")";
            if (clientSecret != null && certificatePath != null) {
                throw new IllegalArgumentException(registration
                        + " has both a client-secret and a certificate-path: give exactly one credential");
            }
            if (clientSecret == null && certificatePath == null) {
                throw new IllegalArgumentException(registration
                        + " has no credential: give a client-secret or a certificate-path");
            }
            if (certificatePath == null && (certificateKeyPath != null || certificatePassword != null)) {
                throw new IllegalArgumentException(registration
                        + " has a certificate-key-path or certificate-password but no certificate-path");
            }
        }

        /** Whether the registration proves itself with a certificate (else with its client secret). */
        public boolean usesCertificate() {
            return certificatePath != null;
        }

        @Override
        public String toString() {
            return "Tenant[tenantId=" + tenantId + ", clientId=" + clientId + ", credential="
                    + (usesCertificate() ? "certificate " + certificatePath : "client secret") + ", domains="
                    + domains + ", creatioHosts=" + creatioHosts + "]";
        }

        private static String unlessBlank(String value) {
            return value == null || value.isBlank() ? null : value;
        }
    }
}
