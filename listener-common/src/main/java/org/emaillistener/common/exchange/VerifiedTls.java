package org.emaillistener.common.exchange;

import java.net.URI;
import java.security.NoSuchAlgorithmException;

import javax.net.ssl.SSLContext;

import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;

import microsoft.exchange.webservices.data.autodiscover.AutodiscoverService;
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

    static final class Autodiscover extends AutodiscoverService {

        Autodiscover(URI url, ExchangeVersion version) throws ArgumentException {
            super(url, version);
        }

        Autodiscover(String domain, ExchangeVersion version) throws ArgumentException {
            super(domain, version);
        }

        @Override
        protected Registry<ConnectionSocketFactory> createConnectionSocketFactoryRegistry() {
            return socketFactories();
        }
    }
}
