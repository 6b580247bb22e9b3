package org.emaillistener.common.imap;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.SynchronizationCredentials;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;

/**
 * Opens IMAP connections for a mailbox as Creatio described it. Certificates and host names are
 * verified unless the operator listed the host in {@code listener.imap.ssl-trust}.
 */
public class ImapConnector {

    /** Creatio's SecureOption values. */
    static final int SECURE_NONE = 0;
    static final int SECURE_AUTO = 1;
    static final int SECURE_SSL = 2;
    static final int SECURE_STARTTLS = 3;

    private final ImapProperties properties;
    /** Shared by every connection, so that no connection starts platform threads of its own. */
    private final ScheduledExecutorService writeTimeouts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("imap-write-timeouts").daemon().factory());
    private final java.util.concurrent.Executor mailEvents = Executors.newVirtualThreadPerTaskExecutor();

    public ImapConnector(ImapProperties properties) {
        this.properties = properties;
    }

    /** Connects and logs in, with a socket timeout fit for fetching mail. */
    public IMAPStore connect(SynchronizationCredentials mailbox) throws MessagingException {
        return connect(mailbox, properties.readTimeout());
    }

    /** Connects and logs in; {@code socketTimeout} bounds every wait for the server. */
    public IMAPStore connect(SynchronizationCredentials mailbox, Duration socketTimeout) throws MessagingException {
        boolean ssl = usesSslOnConnect(mailbox);
        String protocol = ssl ? "imaps" : "imap";
        Session session = Session.getInstance(sessionProperties(mailbox, socketTimeout));
        IMAPStore store = (IMAPStore) session.getStore(protocol);
        store.connect(host(mailbox.ServiceUrl()), mailbox.Port(), loginName(mailbox), mailbox.secret());
        return store;
    }

    Properties sessionProperties(SynchronizationCredentials mailbox, Duration socketTimeout) {
        Properties props = new Properties();
        boolean ssl = usesSslOnConnect(mailbox);
        String p = "mail." + (ssl ? "imaps" : "imap") + ".";
        props.put(p + "connectiontimeout", String.valueOf(properties.connectTimeout().toMillis()));
        props.put(p + "timeout", String.valueOf(socketTimeout.toMillis()));
        props.put(p + "writetimeout", String.valueOf(properties.readTimeout().toMillis()));
        props.put(p + "executor.writetimeout", writeTimeouts);
        String host = host(mailbox.ServiceUrl());
        boolean trusted = properties.sslTrust().contains("*") || properties.sslTrust().contains(host);
        if (trusted) {
            // The operator vouches for this host: its certificate and the name in it are not checked.
            props.put(p + "ssl.trust", host);
            props.put(p + "ssl.checkserveridentity", "false");
        } else {
            props.put(p + "ssl.checkserveridentity", "true");
        }
        props.put(p + "peek", "true");
        props.put(p + "partialfetch", "false");
        if (!ssl) {
            int option = mailbox.SecureOption();
            if (option == SECURE_STARTTLS) {
                props.put(p + "starttls.enable", "true");
                props.put(p + "starttls.required", "true");
            } else if (option == SECURE_AUTO) {
                props.put(p + "starttls.enable", "true");
            }
        }
        if (mailbox.UseOAuth()) {
            props.put(p + "auth.mechanisms", "XOAUTH2");
        }
        props.put("mail.event.executor", mailEvents);
        return props;
    }

    /**
     * SSL from the first byte: SecureOption Ssl, or Auto on the IMAPS port, or (older Creatio, which
     * sends SecureOption None) the UseSsl flag.
     */
    static boolean usesSslOnConnect(SynchronizationCredentials mailbox) {
        return switch (mailbox.SecureOption()) {
            case SECURE_SSL -> true;
            case SECURE_STARTTLS -> false;
            case SECURE_AUTO -> mailbox.UseSsl() || mailbox.Port() == 993;
            default -> mailbox.UseSsl();
        };
    }

    /** {@code ServiceUrl} is a host name; tolerate a URL or a trailing slash around it. */
    static String host(String serviceUrl) {
        String value = serviceUrl == null ? "" : serviceUrl.trim();
        if (value.contains("://")) {
            String host = URI.create(value).getHost();
            return host == null ? value : host;
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    static String loginName(SynchronizationCredentials mailbox) {
        return mailbox.UserName() == null || mailbox.UserName().isBlank()
                ? mailbox.SenderEmailAddress()
                : mailbox.UserName();
    }
}
