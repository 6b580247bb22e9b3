package org.emaillistener.primary.graph;

import java.net.URI;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphSignInException;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.ews.ExchangeSettings;
import org.emaillistener.primary.mailbox.MailboxSettings;
import org.emaillistener.primary.mailbox.SubscriberNotVerifiedException;
import org.springframework.stereotype.Component;

/**
 * An Exchange Online mailbox's settings, read as Exchange's ({@link ExchangeSettings}); its EWS
 * address is never connected to, so the mail-server allow-list does not apply. It is read with the
 * listener's own app permission, so it is registered only for its signed-in user and only to deliver
 * to a Creatio host named for its tenant.
 */
@Component
class GraphSettings implements MailboxSettings {

    private final GraphConnector graph;
    private final ExchangeProperties exchange;

    GraphSettings(GraphConnector graph, ExchangeProperties exchange) {
        this.graph = graph;
        this.exchange = exchange;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    @Override
    public void checkServer(SynchronizationCredentials mailbox) {
        ExchangeSettings.checkExchangeServer(mailbox, exchange);
    }

    /** Refused without the user's sign-in or for another Creatio host; undecided when Entra's keys cannot be fetched. */
    @Override
    public void checkSubscriber(SynchronizationCredentials mailbox, URI endpoint)
            throws SubscriberNotVerifiedException {
        try {
            graph.verifySubscriber(mailbox, endpoint.getHost());
        } catch (GraphSignInException e) {
            throw SubscriberNotVerifiedException.refused(e.getMessage(), e);
        } catch (GraphException e) {
            throw SubscriberNotVerifiedException.uncheckable(
                    "the Microsoft 365 sign-in cannot be checked now: " + e.getMessage(), e);
        }
    }

    @Override
    public String historyFilter(String filters) {
        return ExchangeSettings.loadFromTicks(filters);
    }
}
