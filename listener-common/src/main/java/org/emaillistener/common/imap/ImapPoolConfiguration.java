package org.emaillistener.common.imap;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The pool of logged-in connections the sync jobs share. Lazy: only the secondary role asks for it,
 * so a primary never makes one.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ImapPoolProperties.class)
class ImapPoolConfiguration {

    @Bean
    @Lazy
    ImapConnections imapConnections(ImapConnector connector, ImapPoolProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        return new ImapConnections(connector, properties, meters.getIfAvailable(SimpleMeterRegistry::new));
    }
}
