package org.emaillistener.primary.ews;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.stereotype.Component;

/** Makes Exchange watchers. */
@Component
public class ExchangeWatchers {

    private final ExchangeConnector connector;

    public ExchangeWatchers(ExchangeConnector connector) {
        this.connector = connector;
    }

    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new ExchangeMailboxWatcher(mailbox, events, connector);
    }
}
