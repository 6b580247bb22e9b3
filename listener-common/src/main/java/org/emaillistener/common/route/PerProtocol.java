package org.emaillistener.common.route;

import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The implementations of one role, one per protocol, looked up by a mailbox's route. It is made
 * from every implementation the application has (Spring hands them over as a list) and refuses a
 * protocol with none or with two, so that a protocol added to {@link MailProtocol} stops the start
 * until each role has its implementation, instead of failing at the first mailbox of it.
 */
public final class PerProtocol<T extends ForProtocol> {

    private final Map<MailProtocol, T> byProtocol = new EnumMap<>(MailProtocol.class);

    private PerProtocol(String role, Collection<? extends T> implementations) {
        for (T implementation : implementations) {
            T other = byProtocol.putIfAbsent(implementation.protocol(), implementation);
            if (other != null) {
                throw new IllegalStateException(role + " has two implementations for " + implementation.protocol()
                        + ": " + other.getClass().getName() + " and " + implementation.getClass().getName());
            }
        }
        Set<MailProtocol> missing = EnumSet.allOf(MailProtocol.class);
        missing.removeAll(byProtocol.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException(role + " has no implementation for " + missing.stream()
                    .map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    /** @param role what the implementations do, for the message when one is missing or doubled */
    public static <T extends ForProtocol> PerProtocol<T> from(String role, Collection<? extends T> implementations) {
        return new PerProtocol<>(role, implementations);
    }

    public T of(MailRoute route) {
        return byProtocol.get(route.protocol());
    }
}
