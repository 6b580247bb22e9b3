package org.emaillistener.common.mail;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.emaillistener.common.net.HostPatterns;
import org.emaillistener.common.net.LinkLocalAddresses;

/**
 * The mail servers (IMAP, SMTP, EWS) the listener connects to on a caller's behalf: those of
 * {@code listener.mail-servers.allowed-hosts} when it names any (empty: any host), and never a
 * link-local address (169.254.0.0/16 and fe80::/10), whatever host name leads there, where clouds answer
 * instance metadata and hand out credentials (169.254.169.254, and AWS's IPv6 endpoint fd00:ec2::254).
 */
public final class MailServerDestinations {

    public static final String SETTING = "listener.mail-servers.allowed-hosts";

    private final List<String> allowedHosts;

    /** @param allowedHosts host names, {@code *.example.com} or {@code *}; empty allows any host */
    public MailServerDestinations(List<String> allowedHosts) {
        this.allowedHosts = HostPatterns.normalized(allowedHosts);
    }

    /** Any host but a link-local one. */
    public static MailServerDestinations anyButLinkLocal() {
        return new MailServerDestinations(List.of());
    }

    /** Whether the allow-list lets the listener connect to the host (link-local addresses aside). */
    public boolean allows(String host) {
        return allowedHosts.isEmpty() || HostPatterns.matches(allowedHosts, host);
    }

    /**
     * Refuses a host the allow-list does not name, or that is or resolves to a link-local address.
     *
     * @throws ConnectException saying why and which setting allows it, as a refused connection would
     */
    public void check(String host) throws ConnectException {
        if (!allows(host)) {
            throw new ConnectException(host + " is not a mail server this listener connects to (" + SETTING + ")");
        }
        refuseLinkLocal(host);
    }

    /**
     * Refuses a host that is or resolves to such an address; an unknown host passes, for the
     * connection itself to fail with its own reason.
     *
     * @throws ConnectException saying why, as a refused connection would
     */
    public static void refuseLinkLocal(String host) throws ConnectException {
        if (host == null || host.isBlank()) {
            return;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            for (InetAddress address : InetAddress.getAllByName(bare)) {
                if (LinkLocalAddresses.isMetadataOrLinkLocal(address)) {
                    throw new ConnectException(host + " is a link-local address (" + address.getHostAddress()
                            + ", where clouds serve instance metadata): the listener does not connect to it");
                }
            }
        } catch (UnknownHostException e) {
            // The connection reports it.
        }
    }
}
