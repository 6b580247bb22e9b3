package org.emaillistener.primary.api;

import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * A configured Microsoft Graph tenant serves any mailbox of its domains with the listener's app-only
 * token; a caller is served for one only with its user's Microsoft 365 sign-in (checked by the
 * {@code GraphConnector}), which Microsoft does not promise can always be verified by others. So a
 * tenant must name the Creatio hosts its mail may go to, and a primary with a tenant starts only with a secret
 * {@code listener.api.base-path} (which only the operator and Creatio's {@code ExchangeListenerServiceUri}
 * know), or with {@code listener.api.allow-graph-without-base-path=true}, the operator's word that the
 * network lets Creatio alone reach the API.
 */
@Component
class GraphApiGuard implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(GraphApiGuard.class);

    private final GraphConnector graph;
    private final ApiBasePath basePath;
    private final ApiProperties api;

    GraphApiGuard(GraphConnector graph, ApiBasePath basePath, ApiProperties api) {
        this.graph = graph;
        this.basePath = basePath;
        this.api = api;
    }

    @Override
    public void afterPropertiesSet() {
        for (GraphProperties.Tenant tenant : graph.properties().tenants()) {
            if (tenant.creatioHosts().isEmpty()) {
                throw new IllegalStateException("Microsoft Graph tenant " + tenant.tenantId() + " names no "
                        + "creatio-hosts: its app registration reads every mailbox of " + tenant.domains()
                        + ", so name the hosts of the Creatio sites whose BpmEndpoint may receive their mail "
                        + "(listener.graph.tenants[].creatio-hosts)");
            }
        }
        if (graph.properties().tenants().isEmpty() || basePath.enabled()) {
            return;
        }
        if (!api.allowGraphWithoutBasePath()) {
            throw new IllegalStateException("A Microsoft Graph tenant is configured, so the API acts as any mailbox "
                    + "of its domains for whoever calls it: set listener.api.base-path to a secret path segment "
                    + "(e.g. /$(openssl rand -hex 16)) and point Creatio's ExchangeListenerServiceUri at "
                    + "http://<listener><base-path>/api/listeners, or, if only Creatio can reach the API, set "
                    + "listener.api.allow-graph-without-base-path=true");
        }
        log.warn("Microsoft Graph tenants are served without listener.api.base-path "
                + "(listener.api.allow-graph-without-base-path=true): anyone who can reach the API can act as any "
                + "mailbox of their domains");
    }
}
