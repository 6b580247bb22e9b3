package org.emaillistener.common.exchange;

import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;

import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;

import microsoft.exchange.webservices.data.autodiscover.AutodiscoverService;
import microsoft.exchange.webservices.data.autodiscover.enumeration.UserSettingName;
import microsoft.exchange.webservices.data.autodiscover.exception.AutodiscoverLocalException;
import microsoft.exchange.webservices.data.autodiscover.response.GetUserSettingsResponse;
import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.enumeration.misc.ExchangeVersion;
import microsoft.exchange.webservices.data.core.exception.misc.ArgumentException;

/**
 * ews-java-api's own TLS setup trusts any certificate that comes alone (a self-signed one passes if
 * it is within its validity: {@code EwsX509TrustManager}). These subclasses put the JDK's trust
 * store and host name verification back, so a TLS connection to Exchange is verified like every
 * other connection of the listener.
 */
final class VerifiedTls {

    private VerifiedTls() {
    }

    /** Called from the library's constructors, before any field of the subclass is set. */
    static Registry<ConnectionSocketFactory> socketFactories() {
        try {
            return RegistryBuilder.<ConnectionSocketFactory>create()
                    .register("http", PlainConnectionSocketFactory.getSocketFactory())
                    .register("https", new SSLConnectionSocketFactory(SSLContext.getDefault(),
                            new DefaultHostnameVerifier()))
                    .build();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK offers no default TLS context", e);
        }
    }

    static final class Service extends ExchangeService {

        Service(ExchangeVersion version) {
            super(version);
        }

        @Override
        protected Registry<ConnectionSocketFactory> createConnectionSocketFactoryRegistry() {
            return socketFactories();
        }
    }

    /**
     * Autodiscover with verified TLS that follows a SOAP {@code RedirectUrl} answer only where the
     * mailbox's policy allows: the library follows those by itself, without asking its redirection
     * callback (which it asks only for HTTP redirects found while locating the service).
     */
    static final class Autodiscover extends AutodiscoverService {

        private static final int MAX_HOPS = 10;
        private Predicate<String> redirects = url -> false;

        Autodiscover(URI url, ExchangeVersion version) throws ArgumentException {
            super(url, version);
        }

        Autodiscover(String domain, ExchangeVersion version) throws ArgumentException {
            super(domain, version);
        }

        /** Which redirect URLs may be followed, both the SOAP answers' and the HTTP ones. */
        void allowRedirects(Predicate<String> allowed) {
            this.redirects = allowed;
            setRedirectionUrlValidationCallback(allowed::test);
        }

        @Override
        protected Registry<ConnectionSocketFactory> createConnectionSocketFactoryRegistry() {
            return socketFactories();
        }

        @Override
        protected GetUserSettingsResponse internalGetSoapUserSettings(String smtpAddress,
                List<UserSettingName> requestedSettings) throws Exception {
            List<String> addresses = new ArrayList<>(List.of(smtpAddress));
            for (int hop = 0; hop < MAX_HOPS; hop++) {
                GetUserSettingsResponse response = getUserSettings(addresses, requestedSettings).getTResponseAtIndex(0);
                switch (response.getErrorCode()) {
                    case RedirectAddress -> addresses = new ArrayList<>(
                            List.of(response.getRedirectTarget().toLowerCase(Locale.ROOT)));
                    case RedirectUrl -> {
                        String target = response.getRedirectTarget();
                        if (!redirects.test(target)) {
                            throw new AutodiscoverLocalException("Autodiscover redirect to " + target
                                    + " refused: it does not match AutodiscoverRedirectUrl");
                        }
                        setUrl(URI.create(target));
                    }
                    default -> {
                        return response;
                    }
                }
            }
            throw new AutodiscoverLocalException("Autodiscover was redirected more than " + MAX_HOPS + " times");
        }
    }
}
