package org.emaillistener.primary.operator;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param apiKey the key operators send as {@code X-Api-Key}; without one the operator API is off
 */
@ConfigurationProperties("listener.operator")
public record OperatorProperties(String apiKey) {

    public boolean enabled() {
        return apiKey != null && !apiKey.isBlank();
    }
}
