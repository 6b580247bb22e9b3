package org.emaillistener.primary.ews;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.MailboxWatchers;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.stereotype.Component;

/** Makes Exchange watchers. */
@Component
public class ExchangeWatchers implements MailboxWatchers {

    private final ExchangeConnector connector;

    public ExchangeWatchers(ExchangeConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    @Override
    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new ExchangeMailboxWatcher(mailbox, events, connector);
    }
}
