package org.emaillistener.secondary;

import org.emaillistener.secondary.sync.SyncProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SyncProperties.class)
class SecondaryConfiguration {
}
