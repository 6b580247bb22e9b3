package org.emaillistener.common.redis;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotBlank;

/**
 * Where in Redis the shared state lives. The server and database are Spring's
 * {@code spring.data.redis.*} (or Creatio's {@code ExchangeListenerRedis*} variables).
 *
 * @param keyPrefix put in front of every key, so that several deployments can share a database
 */
@Validated
@ConfigurationProperties("listener.redis")
public record RedisStoreProperties(@DefaultValue("el:") @NotBlank String keyPrefix) {
}
