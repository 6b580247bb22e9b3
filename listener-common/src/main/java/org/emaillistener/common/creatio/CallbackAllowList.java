package org.emaillistener.common.creatio;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts the service may call back ({@code BpmEndpoint}, the availability URL), so that a caller
 * of the unauthenticated API cannot make the listener send requests into the network (SSRF).
 * Patterns are host names ({@code crm.example.com}), wildcards for subdomains
 * ({@code *.example.com}) or {@code *} for any host. An empty list allows any host, with a warning at
 * startup: the standalone default; the Helm chart requires a list.
 */
public class CallbackAllowList {

    public static final String SETTING = "listener.callbacks.allowed-hosts";
    private static final Logger log = LoggerFactory.getLogger(CallbackAllowList.class);

    private final List<String> patterns;

    public CallbackAllowList(List<String> patterns) {
        this.patterns = patterns.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty())
                .toList();
        if (this.patterns.isEmpty()) {
            log.warn("{} is empty: the service will call back any host a request names. Set it to Creatio's "
                    + "host names in production.", SETTING);
        }
    }

    public boolean allows(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            return false;
        }
        return patterns.isEmpty() || patterns.stream().anyMatch(pattern -> matches(pattern, host));
    }

    /** @throws CallbackNotAllowedException naming the setting to change */
    public void check(URI uri) {
        if (!allows(uri)) {
            throw new CallbackNotAllowedException("Calls to host " + uri.getHost() + " are not allowed: add it to "
                    + SETTING + " to let the listener call it");
        }
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1));
        }
        return host.equals(pattern);
    }

    /** A callback URL whose host the allow-list does not name. */
    public static class CallbackNotAllowedException extends IllegalArgumentException {

        public CallbackNotAllowedException(String message) {
            super(message);
        }
    }
}
