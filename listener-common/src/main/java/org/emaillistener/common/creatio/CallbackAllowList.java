package org.emaillistener.common.creatio;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

import org.emaillistener.common.net.HostPatterns;
import org.emaillistener.common.net.LinkLocalAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts the service may call back ({@code BpmEndpoint}, the availability URL), so that a caller
 * of the unauthenticated API cannot make the listener send requests into the network (SSRF).
 * Patterns are host names ({@code crm.example.com}), wildcards for subdomains
 * ({@code *.example.com}) or {@code *} for any host. An empty list allows no host: the service starts,
 * says at startup how to allow Creatio's host, and refuses every callback until then. Whatever the
 * list says, a host that is or resolves to a link-local address (169.254.0.0/16, where clouds serve
 * instance metadata and credentials, fe80::/10, and fd00:ec2::254) is never called.
 */
public class CallbackAllowList {

    public static final String SETTING = "listener.callbacks.allowed-hosts";
    private static final Logger log = LoggerFactory.getLogger(CallbackAllowList.class);

    private final List<String> patterns;

    public CallbackAllowList(List<String> patterns) {
        this.patterns = HostPatterns.normalized(patterns);
        if (this.patterns.isEmpty()) {
            log.warn("{} is empty: the service calls back no host, so no mail reaches Creatio. Name Creatio's "
                    + "host, e.g. --{}=crm.example.com (or LISTENER_CALLBACKS_ALLOWED_HOSTS=crm.example.com)", SETTING,
                    SETTING);
        } else if (this.patterns.contains("*")) {
            log.warn("{} is *: the service calls back any host a caller of its API names. Name Creatio's hosts "
                    + "instead on any network a stranger can reach", SETTING);
        }
    }

    public boolean allows(URI uri) {
        return refusal(uri) == null;
    }

    /** @throws CallbackNotAllowedException naming the setting to change */
    public void check(URI uri) {
        String refusal = refusal(uri);
        if (refusal != null) {
            throw new CallbackNotAllowedException(refusal);
        }
    }

    private String refusal(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            return "The callback URL names no host";
        }
        if (patterns.isEmpty()) {
            return "Calls to host " + host + " are not allowed: " + SETTING + " is empty, so the listener calls back "
                    + "no host; set it to Creatio's host names to let the listener call " + host;
        }
        if (!HostPatterns.matches(patterns, host)) {
            return "Calls to host " + host + " are not allowed: add it to " + SETTING + " to let the listener call it";
        }
        if (linkLocal(host)) {
            return "Calls to host " + host + " are not allowed: it is a link-local address (cloud instance metadata)";
        }
        return null;
    }

    private static boolean linkLocal(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (LinkLocalAddresses.isMetadataOrLinkLocal(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            // Nothing to call; the call itself fails with the reason.
            return false;
        }
    }

    /** A callback URL whose host the allow-list does not name. */
    public static class CallbackNotAllowedException extends IllegalArgumentException {

        public CallbackNotAllowedException(String message) {
            super(message);
        }
    }
}
