package org.emaillistener.primary;

import org.emaillistener.primary.api.ApiProperties;
import org.emaillistener.primary.operator.OperatorProperties;
import org.emaillistener.primary.ownership.OwnershipProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ApiProperties.class, OperatorProperties.class, OwnershipProperties.class })
class PrimaryConfiguration {
}
