package org.emaillistener.primary.smtp;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service talks SMTP. Certificates are verified unless the host is listed in
 * {@code listener.imap.ssl-trust}, which applies to SMTP servers too.
 *
 * @param connectTimeout TCP connect (and TLS handshake) timeout
 * @param readTimeout how long one SMTP command, or one write of the message, may wait for the server
 */
@ConfigurationProperties("listener.smtp")
public record SmtpProperties(@DefaultValue("20s") Duration connectTimeout, @DefaultValue("60s") Duration readTimeout) {
}
