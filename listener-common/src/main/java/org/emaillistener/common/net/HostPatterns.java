package org.emaillistener.common.net;

import java.util.List;
import java.util.Locale;

/**
 * Host allow-lists as operators write them: a host name or address ({@code crm.example.com}), every
 * host under a domain ({@code *.example.com}), or {@code *} for any host; case does not matter.
 */
public final class HostPatterns {

    private HostPatterns() {
    }

    /** The patterns trimmed, lower-cased, blanks left out. */
    public static List<String> normalized(List<String> patterns) {
        return patterns == null ? List.of()
                : patterns.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty()).toList();
    }

    /** Whether one of the (normalized) patterns names the host. */
    public static boolean matches(List<String> patterns, String host) {
        String name = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
        return !name.isEmpty() && patterns.stream().anyMatch(pattern -> pattern.equals("*")
                || pattern.startsWith("*.") && name.endsWith(pattern.substring(1)) || name.equals(pattern));
    }
}
