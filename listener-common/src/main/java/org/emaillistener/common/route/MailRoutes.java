package org.emaillistener.common.route;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;

/**
 * The one place that decides how a mailbox is reached. A mailbox Creatio registers as IMAP (or as a
 * server type it does not name) goes over IMAP, and is sent from over SMTP; an Exchange mailbox goes
 * through Microsoft Graph when {@link GraphConnector#tenantOf a configured tenant} serves it (Exchange
 * Online, of one of the tenant's domains), else through EWS.
 */
public class MailRoutes {

    private final GraphConnector graph;

    public MailRoutes(GraphConnector graph) {
        this.graph = graph;
    }

    public MailRoute of(SynchronizationCredentials mailbox) {
        if (!mailbox.isExchange()) {
            return new MailRoute(MailProtocol.IMAP, "IMAP");
        }
        GraphProperties properties = graph.properties();
        if (graph.tenantOf(mailbox).isPresent()) {
            return new MailRoute(MailProtocol.GRAPH, "Microsoft Graph (" + (properties.notifications()
                    ? "change notifications" : "polling every " + properties.pollInterval().toSeconds() + " s") + ")");
        }
        if (!graph.online(mailbox)) {
            return new MailRoute(MailProtocol.EWS, "EWS");
        }
        return new MailRoute(MailProtocol.EWS, properties.tenants().isEmpty()
                ? "EWS (Exchange Online, but Microsoft Graph is not configured)"
                : "EWS (Exchange Online, but no Microsoft Graph tenant is configured for "
                        + GraphConnector.domain(mailbox) + ")");
    }
}
