package org.emaillistener.common.graph;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import org.emaillistener.common.creatio.SynchronizationCredentials;

import tools.jackson.databind.json.JsonMapper;

/**
 * Tells which configured tenant serves an Exchange mailbox, and opens it. A tenant serves a mailbox
 * on Exchange Online (its EWS address on one of {@code listener.graph.online-hosts}, or with
 * autodiscover from an address or domain) whose address's domain is one of the tenant's; the
 * mailbox's route ({@code MailRoutes}) goes through Graph exactly then.
 */
public class GraphConnector {

    private final GraphProperties properties;
    private final GraphTokens tokens;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final GraphSignIn signIn;
    /** Each mailbox's concurrent Graph requests ({@link GraphMailbox#MAILBOX_CONCURRENCY}), by tenant and address. */
    private final Map<String, Semaphore> concurrency = new ConcurrentHashMap<>();

    public GraphConnector(GraphProperties properties, GraphTls tls) {
        this.properties = properties;
        this.tokens = new GraphTokens(properties, tls);
        // Every watcher calls from its own virtual thread: the client's default executor would add a
        // platform thread for each call in flight (over 150 at 2,000 mailboxes).
        this.http = HttpClient.newBuilder().sslContext(tls.context()).connectTimeout(properties.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.signIn = new GraphSignIn(properties, http, json);
    }

    public GraphProperties properties() {
        return properties;
    }

    /** The tenant whose app registration serves the mailbox through Graph; empty: not a Graph mailbox. */
    public Optional<GraphProperties.Tenant> tenantOf(SynchronizationCredentials mailbox) {
        if (properties.tenants().isEmpty() || !mailbox.isExchange() || !online(mailbox)) {
            return Optional.empty();
        }
        String domain = domain(address(mailbox));
        return properties.tenants().stream()
                .filter(tenant -> tenant.domains().stream().anyMatch(d -> d.equalsIgnoreCase(domain))).findFirst();
    }

    /** A Graph client for the mailbox; it holds no connection of its own. */
    public GraphMailbox connect(SynchronizationCredentials mailbox) throws GraphException {
        GraphProperties.Tenant tenant = servingTenant(mailbox);
        String address = address(mailbox);
        Semaphore permits = concurrency.computeIfAbsent(tenant.tenantId() + "/" + address.toLowerCase(Locale.ROOT),
                key -> new Semaphore(GraphMailbox.MAILBOX_CONCURRENCY, true));
        return new GraphMailbox(http, json, tokens, tenant, properties, address, permits);
    }

    /**
     * The mailbox's Graph client for a caller of the API (validate, folders, send): only for its user,
     * proven by the Microsoft 365 sign-in token Creatio sent ({@link GraphSignIn}).
     *
     * @throws GraphSignInException when the caller did not prove it
     */
    public GraphMailbox connectAsItsUser(SynchronizationCredentials mailbox) throws GraphException {
        signIn.verify(mailbox, servingTenant(mailbox), address(mailbox));
        return connect(mailbox);
    }

    /**
     * Whether a mailbox may be registered (create, recreate, update): its user's sign-in proven, and
     * its mail delivered to a Creatio host named for its tenant.
     *
     * @throws GraphSignInException when either does not hold
     */
    public void verifySubscriber(SynchronizationCredentials mailbox, String bpmEndpointHost) throws GraphException {
        GraphProperties.Tenant tenant = servingTenant(mailbox);
        if (tenant.creatioHosts().stream().noneMatch(host -> host.equalsIgnoreCase(bpmEndpointHost))) {
            throw new GraphSignInException("BpmEndpoint's host " + bpmEndpointHost + " is not a Creatio host "
                    + "named for the Microsoft Graph tenant serving " + domain(address(mailbox))
                    + " (listener.graph.tenants[].creatio-hosts)");
        }
        signIn.verify(mailbox, tenant, address(mailbox));
    }

    private GraphProperties.Tenant servingTenant(SynchronizationCredentials mailbox) throws GraphException {
        return tenantOf(mailbox).orElseThrow(() -> new GraphException(
                "Mailbox " + mailbox.Id() + " is not served through Microsoft Graph", 0, null, null));
    }

    /**
     * Exchange Online by its EWS host; with autodiscover from an address or a domain (no URL), the
     * address's domain being a configured tenant's is the operator's word that it is Exchange Online.
     */
    public boolean online(SynchronizationCredentials mailbox) {
        String serviceUrl = mailbox.ServiceUrl() == null ? "" : mailbox.ServiceUrl().trim();
        if (mailbox.IsAutodiscover() && !serviceUrl.contains("://")) {
            return true;
        }
        String host;
        try {
            host = serviceUrl.contains("://") ? URI.create(serviceUrl).getHost() : serviceUrl.split("/", 2)[0];
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null && properties.onlineHosts().stream().anyMatch(h -> h.equalsIgnoreCase(host));
    }

    static String address(SynchronizationCredentials mailbox) {
        String sender = mailbox.SenderEmailAddress();
        return sender != null && sender.contains("@") ? sender.trim() : String.valueOf(mailbox.UserName()).trim();
    }

    /** The domain of the mailbox's address, lower-cased: what a tenant's {@code domains} name. */
    public static String domain(SynchronizationCredentials mailbox) {
        return domain(address(mailbox));
    }

    private static String domain(String address) {
        return address.substring(address.indexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
