package org.emaillistener.primary.smtp;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ SmtpProperties.class, SendProperties.class })
class SmtpConfiguration {
}
