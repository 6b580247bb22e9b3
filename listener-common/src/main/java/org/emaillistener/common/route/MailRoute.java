package org.emaillistener.common.route;

/**
 * How one mailbox is reached.
 *
 * @param protocol what every role of the listener uses for it
 * @param description the protocol and the reason for it, for people (logs, the operator view), e.g.
 *        {@code EWS (Exchange Online, but Microsoft Graph is not configured)}
 */
public record MailRoute(MailProtocol protocol, String description) {

    public boolean is(MailProtocol other) {
        return protocol == other;
    }

    @Override
    public String toString() {
        return description;
    }
}
