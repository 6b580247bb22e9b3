package org.emaillistener.common.exchange;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import javax.xml.stream.XMLInputFactory;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerDestinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import microsoft.exchange.webservices.data.autodiscover.enumeration.UserSettingName;
import microsoft.exchange.webservices.data.autodiscover.response.GetUserSettingsResponse;
import microsoft.exchange.webservices.data.core.ExchangeServiceBase;
import microsoft.exchange.webservices.data.core.enumeration.misc.ExchangeVersion;
import microsoft.exchange.webservices.data.credential.WebCredentials;
import microsoft.exchange.webservices.data.autodiscover.enumeration.AutodiscoverErrorCode;

/**
 * Opens {@link ExchangeMailbox}es for mailboxes as Creatio describes them. {@code ServiceUrl} is the
 * EWS address (a bare host means {@code https://host/EWS/Exchange.asmx}); with {@code IsAutodiscover}
 * it is where to autodiscover from: an autodiscover URL, or an e-mail address or domain whose
 * well-known autodiscover hosts are tried. Autodiscover follows a redirect only to an https URL that
 * matches the mailbox's {@code AutodiscoverRedirectUrl} (a regex, found anywhere in the URL as .NET's
 * {@code Regex.IsMatch} does); with none, no redirect is followed. The address found is kept for
 * {@code listener.exchange.autodiscover-cache-time}. Basic credentials, or with {@code UseOAuth} the
 * access token as a Bearer header.
 */
public class ExchangeConnector {

    private static final Logger log = LoggerFactory.getLogger(ExchangeConnector.class);
    /** Exchange 2010 SP2 and later answer it; it has everything the listener uses. */
    private static final ExchangeVersion VERSION = ExchangeVersion.Exchange2010_SP2;
    private static final String EWS_PATH = "/EWS/Exchange.asmx";

    private final ExchangeProperties properties;
    private final MailServerDestinations destinations;
    private final Map<String, Discovered> discovered = new ConcurrentHashMap<>();

    private record Discovered(URI url, Instant until) {
    }

    static {
        // Named as well as listed in META-INF/services: another StAX provider on the class path must
        // not take its place (see HardenedXmlInputFactory).
        System.setProperty(XMLInputFactory.class.getName(), HardenedXmlInputFactory.class.getName());
    }

    /** A connector to any Exchange server but one on a link-local address. */
    public ExchangeConnector(ExchangeProperties properties) {
        this(properties, MailServerDestinations.anyButLinkLocal());
    }

    public ExchangeConnector(ExchangeProperties properties, MailServerDestinations destinations) {
        this.properties = properties;
        this.destinations = destinations;
        XMLInputFactory factory = XMLInputFactory.newInstance();
        if (!(factory instanceof HardenedXmlInputFactory)) {
            throw new IllegalStateException("XMLInputFactory.newInstance() returns " + factory.getClass().getName()
                    + ", which resolves external entities in EWS answers; expected " + HardenedXmlInputFactory.class);
        }
    }

    public ExchangeProperties properties() {
        return properties;
    }

    /** A mailbox whose calls each wait at most {@code listener.exchange.request-timeout}. */
    public ExchangeMailbox connect(SynchronizationCredentials mailbox) throws ExchangeException {
        return connect(mailbox, properties.requestTimeout());
    }

    /** A mailbox whose calls each wait at most {@code timeout}; autodiscover, when asked for, runs now. */
    public ExchangeMailbox connect(SynchronizationCredentials mailbox, Duration timeout) throws ExchangeException {
        URI url = ewsUrl(mailbox, timeout);
        try {
            destinations.check(url.getHost());
        } catch (ConnectException e) {
            throw new ExchangeException(e.getMessage(), 0, null, e);
        }
        VerifiedTls.Service service = new VerifiedTls.Service(VERSION);
        try {
            service.setUrl(url);
        } catch (RuntimeException e) {
            service.close();
            throw new ExchangeException("Not a usable EWS address: " + url, 0, null, e);
        }
        authenticate(service, mailbox, timeout);
        return new EwsMailbox(service, address(mailbox));
    }

    /** The EWS address of the mailbox: as given, or autodiscovered. */
    URI ewsUrl(SynchronizationCredentials mailbox, Duration timeout) throws ExchangeException {
        String serviceUrl = mailbox.ServiceUrl() == null ? "" : mailbox.ServiceUrl().trim();
        if (!mailbox.IsAutodiscover()) {
            return direct(serviceUrl);
        }
        String key = mailbox.Id() + "|" + serviceUrl + "|" + address(mailbox);
        Discovered known = discovered.get(key);
        if (known != null && Instant.now().isBefore(known.until())) {
            return known.url();
        }
        URI url = autodiscover(mailbox, serviceUrl, timeout);
        discovered.put(key, new Discovered(url, Instant.now().plus(properties.autodiscoverCacheTime())));
        return url;
    }

    /**
     * An {@code http://} address sends the login in clear text (Basic credentials, or the OAuth
     * token): refused unless the operator allows the host.
     */
    private void refusePlaintext(URI url, String what) throws ExchangeException {
        if ("http".equalsIgnoreCase(url.getScheme()) && !properties.plaintextAllowed(url.getHost())) {
            throw new ExchangeException(what + " " + url.getScheme() + "://" + url.getHost() + " would send the login "
                    + "in clear text: use https, or the listener's administrator allows the host "
                    + "(listener.exchange.plaintext-hosts)", 0, null, null);
        }
    }

    private URI direct(String serviceUrl) throws ExchangeException {
        if (serviceUrl.isEmpty()) {
            throw new ExchangeException("ServiceUrl names no EWS address", 0, null, null);
        }
        try {
            URI url = URI.create(serviceUrl.contains("://") ? serviceUrl : "https://" + serviceUrl + EWS_PATH);
            String scheme = url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
                throw new IllegalArgumentException("expected an http(s) URL");
            }
            refusePlaintext(url, "ServiceUrl");
            return url;
        } catch (IllegalArgumentException e) {
            throw new ExchangeException("ServiceUrl is not an EWS address: " + serviceUrl, 0, null, e);
        }
    }

    private URI autodiscover(SynchronizationCredentials mailbox, String source, Duration timeout)
            throws ExchangeException {
        String address = address(mailbox);
        VerifiedTls.Autodiscover autodiscover;
        try {
            if (source.contains("://")) {
                refusePlaintext(URI.create(source), "Autodiscover from");
                autodiscover = new VerifiedTls.Autodiscover(URI.create(source), VERSION);
            } else {
                String domain = source.isEmpty() ? address : source;
                autodiscover = new VerifiedTls.Autodiscover(domain.substring(domain.indexOf('@') + 1), VERSION);
            }
        } catch (ExchangeException e) {
            throw e;
        } catch (Exception e) {
            throw new ExchangeException("Autodiscover cannot start from " + source + ": " + e.getMessage(), 0, null,
                    e);
        }
        try {
            authenticate(autodiscover, mailbox, timeout);
            Pattern allowed = redirectPattern(mailbox.AutodiscoverRedirectUrl());
            autodiscover.allowRedirects(url -> redirectAllowed(allowed, url));
            GetUserSettingsResponse response = autodiscover.getUserSettings(address, UserSettingName.ExternalEwsUrl,
                    UserSettingName.InternalEwsUrl);
            if (response.getErrorCode() != AutodiscoverErrorCode.NoError) {
                throw new ExchangeException("Autodiscover found no EWS address for " + address + ": "
                        + response.getErrorCode() + " " + response.getErrorMessage(), 0, null, null);
            }
            Object url = response.getSettings().get(UserSettingName.ExternalEwsUrl);
            if (url == null || url.toString().isBlank()) {
                url = response.getSettings().get(UserSettingName.InternalEwsUrl);
            }
            if (url == null || url.toString().isBlank()) {
                throw new ExchangeException("Autodiscover answered no EWS address for " + address, 0, null, null);
            }
            log.info("Mailbox {}: autodiscover found EWS at {}", mailbox.Id(), url);
            URI ews = URI.create(url.toString());
            refusePlaintext(ews, "Autodiscover found EWS at");
            return ews;
        } catch (ExchangeException e) {
            throw e;
        } catch (Exception e) {
            throw new ExchangeException("Autodiscover for " + address + " failed: " + e.getMessage(),
                    e instanceof microsoft.exchange.webservices.data.core.exception.http.HttpErrorException http
                            ? http.getHttpErrorCode() : 0,
                    null, e);
        } finally {
            autodiscover.close();
        }
    }

    /** Null when no redirect may be followed. */
    private static Pattern redirectPattern(String regex) throws ExchangeException {
        if (regex == null || regex.isBlank()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ExchangeException("AutodiscoverRedirectUrl is not a regular expression: " + e.getDescription(),
                    0, null, e);
        }
    }

    static boolean redirectAllowed(Pattern allowed, String url) {
        boolean ok = allowed != null && url != null && url.toLowerCase(Locale.ROOT).startsWith("https://")
                && allowed.matcher(url).find();
        if (!ok) {
            log.warn("Autodiscover redirect to {} refused: it does not match AutodiscoverRedirectUrl", url);
        }
        return ok;
    }

    private static void authenticate(ExchangeServiceBase service, SynchronizationCredentials mailbox,
            Duration timeout) {
        service.setTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        service.setUserAgent("email-listener");
        // Exchange routes the requests to the mailbox's server by the anchor (Exchange Online a token's
        // too), and with the affinity header its Subscribe answer sets the X-BackEndOverrideCookie
        // that keeps GetStreamingEvents on that server ("Maintain affinity between a group of
        // subscriptions and the mailbox server in Exchange"); ews-java-api's cookie store sends it back.
        service.getHttpHeaders().put("X-AnchorMailbox", address(mailbox));
        service.getHttpHeaders().put("X-PreferServerAffinity", "true");
        if (mailbox.UseOAuth()) {
            service.getHttpHeaders().put("Authorization", "Bearer " + mailbox.AccessToken());
            return;
        }
        String login = mailbox.UserName() == null || mailbox.UserName().isBlank() ? address(mailbox)
                : mailbox.UserName();
        String password = mailbox.Password() == null ? "" : mailbox.Password();
        int slash = login.indexOf('\\');
        service.setCredentials(slash > 0
                ? new WebCredentials(login.substring(slash + 1), password, login.substring(0, slash))
                : new WebCredentials(login, password));
    }

    /** The mailbox's e-mail address, which autodiscover and routing go by. */
    static String address(SynchronizationCredentials mailbox) {
        if (mailbox.SenderEmailAddress() != null && !mailbox.SenderEmailAddress().isBlank()) {
            return mailbox.SenderEmailAddress().trim();
        }
        return mailbox.UserName() == null ? "" : mailbox.UserName().trim();
    }
}
