package org.emaillistener.common.mail;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

import org.emaillistener.common.creatio.SynchronizationCredentials;

/**
 * How to reach and log in to a mail server that Creatio described in
 * {@link SynchronizationCredentials}: the host, whether TLS starts with the first byte or after
 * STARTTLS, whether the server's certificate is checked, and the login. IMAP and SMTP read
 * Creatio's {@code SecureOption} through this one decision.
 *
 * @param protocol IMAP or SMTP
 * @param host the host name, from {@code ServiceUrl}
 * @param port the server's port
 * @param sslOnConnect TLS from the first byte (imaps, smtps)
 * @param startTls whether a plain connection is upgraded with STARTTLS
 * @param trusted the operator listed the host in {@code listener.imap.ssl-trust}: its certificate
 *        and the name in it are not checked
 * @param loginName the name to log in with
 * @param xoauth2 log in with an OAuth access token (XOAUTH2) rather than a password
 */
public record MailServerAccess(Protocol protocol, String host, int port, boolean sslOnConnect, StartTls startTls,
        boolean trusted, String loginName, boolean xoauth2) {

    /** Creatio's SecureOption values; they are MailKit's SecureSocketOptions, which Creatio's own client uses. */
    public static final int SECURE_NONE = 0;
    public static final int SECURE_AUTO = 1;
    public static final int SECURE_SSL = 2;
    public static final int SECURE_STARTTLS = 3;

    /** The protocols the service speaks, with Angus Mail's names and the port of TLS from the first byte. */
    public enum Protocol {
        IMAP("imap", 993),
        SMTP("smtp", 465);

        private final String name;
        private final int sslPort;

        Protocol(String name, int sslPort) {
            this.name = name;
            this.sslPort = sslPort;
        }
    }

    /** Whether a plain connection is upgraded to TLS. */
    public enum StartTls {
        NEVER,
        /** Upgraded if the server offers it, else the connection stays plain. */
        IF_OFFERED,
        /** The connection fails if the server does not offer it. */
        REQUIRED
    }

    /** The access with no host trusted unverified and none allowed plaintext under Auto. */
    public static MailServerAccess of(Protocol protocol, SynchronizationCredentials server,
            Collection<String> sslTrust) {
        return of(protocol, server, sslTrust, List.of());
    }

    /**
     * SecureOption Auto on a port without TLS from the first byte requires STARTTLS: MailKit's Auto,
     * which Creatio's own client uses, stays plaintext when the server offers none, which lets anyone
     * on the path strip the offer and read the password. Only the hosts the operator lists in
     * {@code plaintextHosts} keep that; SecureOption None is plaintext as the user chose.
     *
     * @param sslTrust hosts whose certificates are trusted unverified, "*" for every host
     * @param plaintextHosts hosts that may stay plaintext under SecureOption Auto, "*" for every host
     */
    public static MailServerAccess of(Protocol protocol, SynchronizationCredentials server,
            Collection<String> sslTrust, Collection<String> plaintextHosts) {
        String host = host(server.ServiceUrl());
        boolean sslOnConnect = usesSslOnConnect(protocol, server);
        boolean plaintextAllowed = plaintextHosts.contains("*")
                || plaintextHosts.stream().anyMatch(allowed -> allowed.equalsIgnoreCase(host));
        StartTls startTls = sslOnConnect ? StartTls.NEVER : switch (server.SecureOption()) {
            case SECURE_STARTTLS -> StartTls.REQUIRED;
            case SECURE_AUTO -> plaintextAllowed ? StartTls.IF_OFFERED : StartTls.REQUIRED;
            default -> StartTls.NEVER;
        };
        boolean trusted = sslTrust.contains("*") || sslTrust.contains(host);
        return new MailServerAccess(protocol, host, server.Port(), sslOnConnect, startTls, trusted,
                loginName(server), server.UseOAuth());
    }

    /** Angus Mail's name of the store or transport: imap, imaps, smtp or smtps. */
    public String scheme() {
        return protocol.name + (sslOnConnect ? "s" : "");
    }

    /** The prefix of this connection's Angus Mail session properties, e.g. {@code mail.imaps.}. */
    public String propertyPrefix() {
        return "mail." + scheme() + ".";
    }

    /**
     * The Angus Mail session properties of TLS, certificate checks and the login mechanism; the
     * caller adds its protocol's timeouts and the rest.
     */
    public Properties sessionProperties() {
        Properties props = new Properties();
        String p = propertyPrefix();
        if (trusted) {
            // The operator vouches for this host: its certificate and the name in it are not checked.
            props.put(p + "ssl.trust", host);
            props.put(p + "ssl.checkserveridentity", "false");
        } else {
            props.put(p + "ssl.checkserveridentity", "true");
        }
        if (startTls != StartTls.NEVER) {
            props.put(p + "starttls.enable", "true");
        }
        if (startTls == StartTls.REQUIRED) {
            props.put(p + "starttls.required", "true");
        }
        if (xoauth2) {
            props.put(p + "auth.mechanisms", "XOAUTH2");
        }
        return props;
    }

    /**
     * SSL from the first byte: SecureOption Ssl, or Auto on the protocol's SSL port (993, 465), or
     * (older Creatio, which sends SecureOption None) the UseSsl flag.
     */
    private static boolean usesSslOnConnect(Protocol protocol, SynchronizationCredentials server) {
        return switch (server.SecureOption()) {
            case SECURE_SSL -> true;
            case SECURE_STARTTLS -> false;
            case SECURE_AUTO -> server.UseSsl() || server.Port() == protocol.sslPort;
            default -> server.UseSsl();
        };
    }

    /** {@code ServiceUrl} is a host name; tolerate a URL or a trailing slash around it. */
    public static String host(String serviceUrl) {
        String value = serviceUrl == null ? "" : serviceUrl.trim();
        if (value.contains("://")) {
            String host = URI.create(value).getHost();
            return host == null ? value : host;
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    /** {@code UserName}, or the mailbox's address when Creatio left the user name empty. */
    private static String loginName(SynchronizationCredentials server) {
        return server.UserName() == null || server.UserName().isBlank()
                ? server.SenderEmailAddress()
                : server.UserName();
    }
}
