package org.emaillistener.common.testing;

import java.util.Properties;

import org.emaillistener.common.cursor.DeliveredWindow;
import org.emaillistener.common.redis.RedisAdapters;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The service's own Redis adapters in a small Spring context, under a key prefix and sealing with an
 * encryption key: what tests and benchmarks seed Redis through, as the applications would write it.
 */
public final class RedisStoreContext {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(RedisAdapters.class)
    @EnableConfigurationProperties(DeliveredWindow.class)
    static class Store {
    }

    private RedisStoreContext() {
    }

    /** Starts it against Redis at {@code host:port}; closing it closes the connections, not the keys. */
    public static ConfigurableApplicationContext start(String prefix, String encryptionKey, String host, int port) {
        Properties properties = new Properties();
        properties.put("listener.store", "redis");
        properties.put("listener.redis.key-prefix", prefix);
        properties.put("listener.security.encryption-key", encryptionKey);
        properties.put("spring.data.redis.host", host);
        properties.put("spring.data.redis.port", Integer.toString(port));
        properties.put("spring.main.banner-mode", "off");
        properties.put("logging.level.root", "warn");
        return new SpringApplicationBuilder(Store.class).web(WebApplicationType.NONE).properties(properties).run();
    }
}
