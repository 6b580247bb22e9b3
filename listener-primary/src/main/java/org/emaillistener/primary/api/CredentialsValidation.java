package org.emaillistener.primary.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.ServerType;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphSignInException;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.mail.MailServerDestinations;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Checks what Creatio sent before anything is registered, so that a bad request changes nothing.
 * Messages name the field (by its wire name) and never echo a secret.
 */
@Component
public class CredentialsValidation {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,253}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}]");

    private final CallbackAllowList callbacks;
    private final GraphConnector graph;
    private final ExchangeProperties exchange;
    private final MailServerDestinations mailServers;

    public CredentialsValidation(CallbackAllowList callbacks, GraphConnector graph, ExchangeProperties exchange,
            MailServerDestinations mailServers) {
        this.callbacks = callbacks;
        this.graph = graph;
        this.exchange = exchange;
        this.mailServers = mailServers;
    }

    /** The mailboxes of a create, recreate or update call: all valid, or none taken. */
    public List<SynchronizationCredentials> subscriptions(List<SynchronizationCredentials> body) {
        if (body == null || body.isEmpty()) {
            throw new BadRequestException("Expected a JSON array with at least one mailbox (SynchronizationCredentials)");
        }
        for (int i = 0; i < body.size(); i++) {
            subscription(body.get(i), body.size() == 1 ? "" : "[" + i + "].");
        }
        return body;
    }

    /**
     * The one mailbox of a validate or folders call: only what is needed to reach its server. A
     * missing login or password is left to the server to refuse, which gives the user the same
     * answer as a wrong one; {@code BpmEndpoint} is not required, since nothing is called back and
     * Creatio may not send a usable one with these calls.
     */
    public SynchronizationCredentials mailbox(SynchronizationCredentials body) {
        server(body, "");
        return body;
    }

    /** A list of mailbox ids (close, subscriptionsstate), parsed; all must be GUIDs. */
    public List<UUID> mailboxIds(List<String> ids) {
        if (ids == null) {
            throw new BadRequestException("Expected a JSON array of mailbox ids");
        }
        List<UUID> parsed = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            parsed.add(guid(ids.get(i), "[" + i + "]"));
        }
        return parsed;
    }

    /** A subscription: the server, a login, and where to deliver the mail. */
    private void subscription(SynchronizationCredentials mailbox, String at) {
        server(mailbox, at);
        require(notBlank(mailbox.UserName()) || notBlank(mailbox.SenderEmailAddress()),
                at + "UserName (or SenderEmailAddress) is required");
        require(notBlank(mailbox.secret()),
                at + (mailbox.UseOAuth() ? "AccessToken is required with UseOAuth" : "Password is required"));
        require(mailbox.FolderIds().stream().allMatch(CredentialsValidation::notBlank),
                at + "FolderIds must not contain empty names");
        URI endpoint;
        try {
            endpoint = CreatioClient.operationUri(mailbox.BpmEndpoint(), "ProcessFullEmail");
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(at + "BpmEndpoint must be Creatio's absolute http(s) callback URL: "
                    + e.getMessage());
        }
        callbackAllowed(endpoint, at + "BpmEndpoint");
        if (graph.serves(mailbox)) {
            graphSubscriber(mailbox, endpoint, at);
        }
    }

    /**
     * A mailbox Microsoft Graph serves is read with the listener's own app permission, so it is
     * registered only for its signed-in user and only to deliver to a Creatio host named for its
     * tenant: 403 otherwise, 503 when Entra's keys cannot be fetched to tell.
     */
    private void graphSubscriber(SynchronizationCredentials mailbox, URI endpoint, String at) {
        try {
            graph.verifySubscriber(mailbox, endpoint.getHost());
        } catch (GraphSignInException e) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, at + e.getMessage());
        } catch (GraphException e) {
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                    at + "the Microsoft 365 sign-in cannot be checked now: " + e.getMessage());
        }
    }

    /** A URL the listener is to call: its host must be on the callback allow-list. */
    public void callbackAllowed(URI uri, String what) {
        try {
            callbacks.check(uri);
        } catch (CallbackAllowList.CallbackNotAllowedException e) {
            throw new BadRequestException(what + ": " + e.getMessage());
        }
    }

    /** Which mailbox, and a server of a supported type that can be connected to. */
    private void server(SynchronizationCredentials mailbox, String at) {
        if (mailbox == null) {
            throw new BadRequestException(at + "mailbox is null");
        }
        require(mailbox.Id() != null, at + "Id is required (the mailbox GUID)");
        require(mailbox.ServerTypeId() != null, at + "ServerTypeId is required");
        printable(mailbox, at);
        ServerType type = ServerType.of(mailbox.ServerTypeId())
                .orElseThrow(() -> new BadRequestException(at + "ServerTypeId " + mailbox.ServerTypeId()
                        + " is unknown: expected " + ServerType.IMAP.id() + " (IMAP) or " + ServerType.EXCHANGE.id()
                        + " (Exchange)"));
        if (type == ServerType.EXCHANGE) {
            exchangeServer(mailbox, at);
            return;
        }
        require(notBlank(mailbox.ServiceUrl()), at + "ServiceUrl is required (the IMAP server's host)");
        require(isHost(mailbox.ServiceUrl()), at + "ServiceUrl must be the mail server's host name or address");
        mailServerAllowed(MailServerAccess.host(mailbox.ServiceUrl()), at);
        require(mailbox.Port() > 0 && mailbox.Port() <= 65535, at + "Port must be between 1 and 65535");
        require(mailbox.SecureOption() >= 0 && mailbox.SecureOption() <= 3,
                at + "SecureOption must be 0 (None), 1 (Auto), 2 (Ssl) or 3 (StartTls)");
    }

    /**
     * An Exchange server: the EWS address, or with autodiscover where to start from (an autodiscover
     * URL, a domain, or none: the mailbox's address tells). {@code Port} is always 0 for Exchange.
     */
    private void exchangeServer(SynchronizationCredentials mailbox, String at) {
        if (mailbox.IsAutodiscover()) {
            require(notBlank(mailbox.ServiceUrl()) || notBlank(mailbox.SenderEmailAddress())
                    || notBlank(mailbox.UserName()),
                    at + "ServiceUrl or SenderEmailAddress is required to autodiscover the Exchange server");
        } else {
            require(notBlank(mailbox.ServiceUrl()), at + "ServiceUrl is required (the Exchange server's EWS address)");
            String url = mailbox.ServiceUrl().trim();
            require(!url.contains("://") || url.regionMatches(true, 0, "https://", 0, 8)
                    || url.regionMatches(true, 0, "http://", 0, 7),
                    at + "ServiceUrl must be an http(s) EWS address or a host name");
        }
        String url = mailbox.ServiceUrl() == null ? "" : mailbox.ServiceUrl().trim();
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            String host;
            try {
                host = URI.create(url).getHost();
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(at + "ServiceUrl is not a URL");
            }
            require(host != null && exchange.plaintextAllowed(host), at + "ServiceUrl http:// would send the login in "
                    + "clear text: use https, or the listener's administrator allows the host "
                    + "(listener.exchange.plaintext-hosts)");
        }
        if (!mailbox.IsAutodiscover() && !graph.serves(mailbox)) {
            String host;
            try {
                host = MailServerAccess.host(url.contains("://") ? url : url.split("/", 2)[0]);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(at + "ServiceUrl is not a URL");
            }
            mailServerAllowed(host, at);
        }
    }

    /** A mail server the operator's {@code listener.mail-servers.allowed-hosts} names (when it names any). */
    private void mailServerAllowed(String host, String at) {
        require(mailServers.allows(host), at + "ServiceUrl " + host + " is not a mail server this listener connects "
                + "to: its administrator names the allowed ones in " + MailServerDestinations.SETTING);
    }

    /** A host name or address, alone or in a URL: letters, digits, dots, dashes, colons and brackets. */
    private static boolean isHost(String serviceUrl) {
        String host;
        try {
            host = MailServerAccess.host(serviceUrl);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null && HOST.matcher(host).matches();
    }

    private static UUID guid(String value, String at) {
        if (value == null) {
            throw new BadRequestException(at + " is null, expected a mailbox GUID");
        }
        try {
            UUID id = UUID.fromString(value.trim());
            if (!id.toString().equalsIgnoreCase(value.trim())) {
                throw new IllegalArgumentException();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(at + " is not a GUID: \"" + abbreviate(value) + "\"");
        }
    }

    private static String abbreviate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }

    /**
     * No control characters (CR, LF, NUL…) in the fields the listener logs or passes on as given: in a
     * plain-text log they would start forged lines. The secrets are never logged and may hold anything;
     * {@code Context} is only echoed back to Creatio.
     */
    public static void printable(SynchronizationCredentials mailbox, String at) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("UserName", mailbox.UserName());
        fields.put("SenderEmailAddress", mailbox.SenderEmailAddress());
        fields.put("ServiceUrl", mailbox.ServiceUrl());
        fields.put("AutodiscoverRedirectUrl", mailbox.AutodiscoverRedirectUrl());
        fields.put("BpmEndpoint", mailbox.BpmEndpoint());
        fields.put("BpmUser", mailbox.BpmUser());
        fields.put("BpmUserWorkspace", mailbox.BpmUserWorkspace());
        fields.put("BpmUserTimeZone", mailbox.BpmUserTimeZone());
        fields.put("FolderClassName", mailbox.FolderClassName());
        for (int i = 0; i < mailbox.FolderIds().size(); i++) {
            fields.put("FolderIds[" + i + "]", mailbox.FolderIds().get(i));
        }
        fields.forEach((name, value) -> require(value == null || !CONTROL.matcher(value).find(),
                at + name + " must not contain control characters (line breaks, NUL)"));
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new BadRequestException(message);
        }
    }
}
