package org.emaillistener.secondary;

import org.emaillistener.secondary.mime.EmailConverter;
import org.emaillistener.secondary.sync.SyncProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SyncProperties.class)
class SecondaryConfiguration {

    @Bean
    EmailConverter emailConverter() {
        return new EmailConverter();
    }
}
