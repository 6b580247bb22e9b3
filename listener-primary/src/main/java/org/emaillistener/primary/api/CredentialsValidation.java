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
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.route.PerProtocol;
import org.emaillistener.primary.mailbox.InvalidSettingsException;
import org.emaillistener.primary.mailbox.MailboxSettings;
import org.emaillistener.primary.mailbox.SubscriberNotVerifiedException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Checks what Creatio sent before anything is registered, so that a bad request changes nothing:
 * what every mailbox needs here, what its server's settings need by its route's
 * {@link MailboxSettings}. Messages name the field (by its wire name) and never echo a secret.
 */
@Component
class CredentialsValidation {

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}]");

    private final CallbackAllowList callbacks;
    private final MailRoutes routes;
    private final PerProtocol<MailboxSettings> settings;

    public CredentialsValidation(CallbackAllowList callbacks, MailRoutes routes, List<MailboxSettings> settings) {
        this.callbacks = callbacks;
        this.routes = routes;
        this.settings = PerProtocol.from("Validating", settings);
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

    /**
     * Creatio's {@code Filters} of a history import of the mailbox, as its route reads it.
     *
     * @throws BadRequestException when it is not what Creatio sends for such a mailbox
     */
    public String historyFilter(SynchronizationCredentials mailbox, String filters) {
        try {
            return settingsOf(mailbox).historyFilter(filters);
        } catch (InvalidSettingsException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    /**
     * A subscription: the server, a login, and where to deliver the mail. The route may refuse the
     * caller the mailbox: 403, or 503 when it cannot tell now.
     */
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
        try {
            settingsOf(mailbox).checkSubscriber(mailbox, endpoint);
        } catch (SubscriberNotVerifiedException e) {
            throw new ResponseStatusException(e.refused() ? HttpStatus.FORBIDDEN : HttpStatus.SERVICE_UNAVAILABLE,
                    at + e.getMessage());
        }
    }

    private MailboxSettings settingsOf(SynchronizationCredentials mailbox) {
        return settings.of(routes.of(mailbox));
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
        require(ServerType.of(mailbox.ServerTypeId()).isPresent(), at + "ServerTypeId " + mailbox.ServerTypeId()
                + " is unknown: expected " + ServerType.IMAP.id() + " (IMAP) or " + ServerType.EXCHANGE.id()
                + " (Exchange)");
        try {
            settingsOf(mailbox).checkServer(mailbox);
        } catch (InvalidSettingsException e) {
            throw new BadRequestException(at + e.getMessage());
        }
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
