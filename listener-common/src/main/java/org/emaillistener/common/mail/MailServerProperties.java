package org.emaillistener.common.mail;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which mail servers a caller of the API may have the listener connect to.
 *
 * @param allowedHosts IMAP, SMTP and EWS hosts ({@code mail.example.com}, {@code *.example.com});
 *        empty, the default, allows any host but a link-local one
 */
@ConfigurationProperties("listener.mail-servers")
public record MailServerProperties(@DefaultValue List<String> allowedHosts) {
}
