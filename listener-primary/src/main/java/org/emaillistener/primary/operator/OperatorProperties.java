package org.emaillistener.primary.operator;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param apiKey the key of the operator console and its API on the management port: the password of HTTP
 *        Basic, a bearer token, or {@code X-Api-Key}; without one the console is off
 */
@ConfigurationProperties("listener.operator")
public record OperatorProperties(String apiKey) {

    public boolean enabled() {
        return apiKey != null && !apiKey.isBlank();
    }
}
