package org.emaillistener.primary.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;

import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.common.state.FailureKind;

/**
 * One page of the mailbox list: which mailboxes (every filter given must hold), in which order.
 *
 * @param state the console state, or null for any
 * @param protocol IMAP, EWS or Graph, or null
 * @param replica the replica holding it, or null
 * @param errorKind the kind of its last error, or null
 * @param creatioHost the host of the Creatio it delivers to, or null
 * @param quietFor delivered nothing for at least this long (or never), or null
 * @param text a part of its address or id, any case, or null
 * @param sort what to order by
 * @param descending in descending order
 * @param page the page, from 0
 * @param size the mailboxes per page, 1 to {@value #MAX_SIZE}
 */
public record MailboxQuery(ConsoleState state, MailProtocol protocol, String replica, FailureKind errorKind,
        String creatioHost, Duration quietFor, String text, Sort sort, boolean descending, int page, int size) {

    public static final int MAX_SIZE = 200;

    public MailboxQuery {
        if (page < 0) {
            throw new IllegalArgumentException("page must be 0 or more");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE);
        }
        if (quietFor != null && quietFor.isNegative()) {
            throw new IllegalArgumentException("quiet hours must be 0 or more");
        }
        text = text == null || text.isBlank() ? null : text.trim().toLowerCase(Locale.ROOT);
        replica = replica == null || replica.isBlank() ? null : replica;
        creatioHost = creatioHost == null || creatioHost.isBlank() ? null : creatioHost.trim().toLowerCase(Locale.ROOT);
        sort = sort == null ? Sort.ADDRESS : sort;
    }

    boolean matches(MailboxRow row, ConsoleState rowState, Instant now) {
        return (state == null || state == rowState)
                && (protocol == null || protocol == row.protocol())
                && (replica == null || replica.equals(row.owner()))
                && (errorKind == null || row.state() != null && errorKind == row.state().errorKind())
                && (creatioHost == null || creatioHost.equals(row.creatioHost()))
                && (quietFor == null || row.lastDeliveredAt() == null
                        || !row.lastDeliveredAt().isAfter(now.minus(quietFor)))
                && (text == null || row.searchKey().contains(text));
    }

    /** The order of the list; ties are broken by id, so that pages never overlap. */
    public enum Sort {
        ADDRESS(Comparator.comparing(MailboxRow::searchKey)),
        STATE(Comparator.comparing((MailboxRow row) -> row.state() == null ? "" : row.state().status().name())),
        LAST_DELIVERY(Comparator.comparing(MailboxRow::lastDeliveredAt,
                Comparator.nullsFirst(Comparator.naturalOrder()))),
        LAST_EVENT(Comparator.comparing((MailboxRow row) -> row.state() == null ? null : row.state().lastEventAt(),
                Comparator.nullsFirst(Comparator.naturalOrder()))),
        REGISTERED(Comparator.comparing(MailboxRow::registeredAt)),
        PARKED(Comparator.comparingInt(MailboxRow::parked));

        private final Comparator<MailboxRow> order;

        Sort(Comparator<MailboxRow> order) {
            this.order = order;
        }

        Comparator<MailboxRow> order(boolean descending) {
            Comparator<MailboxRow> byKey = descending ? order.reversed() : order;
            return byKey.thenComparing(MailboxRow::id);
        }
    }
}
