package org.emaillistener.primary.send;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ SmtpProperties.class, SendProperties.class })
class SendConfiguration {
}
