package org.emaillistener.common.redis;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.util.StringUtils;

/**
 * Creatio's deployment variables for the original listener's Redis, honoured so that an existing
 * deployment can switch images without editing its values: {@code ExchangeListenerRedisHost}
 * ({@code host:port}), {@code ExchangeListenerRedisDatabase} and {@code ExchangeListenerRedisPassword}
 * become {@code spring.data.redis.host}/{@code port}, {@code database} and {@code password}. They
 * are added below every other source (above only the application's default properties), so an
 * explicit {@code spring.data.redis.*} anywhere wins.
 */
public class CreatioRedisVariables implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "creatioRedisVariables";
    static final String HOST = "ExchangeListenerRedisHost";
    static final String DATABASE = "ExchangeListenerRedisDatabase";
    static final String PASSWORD = "ExchangeListenerRedisPassword";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> aliases = new LinkedHashMap<>();
        String hostAndPort = environment.getProperty(HOST);
        if (StringUtils.hasText(hostAndPort)) {
            putHostAndPort(hostAndPort.strip(), aliases);
        }
        String database = environment.getProperty(DATABASE);
        if (StringUtils.hasText(database)) {
            aliases.put("spring.data.redis.database", database.strip());
        }
        String password = environment.getProperty(PASSWORD);
        if (StringUtils.hasLength(password)) {
            aliases.put("spring.data.redis.password", password);
        }
        if (aliases.isEmpty()) {
            return;
        }
        MutablePropertySources sources = environment.getPropertySources();
        MapPropertySource source = new MapPropertySource(SOURCE_NAME, aliases);
        if (sources.contains(DefaultPropertiesPropertySource.NAME)) {
            sources.addBefore(DefaultPropertiesPropertySource.NAME, source);
        } else {
            sources.addLast(source);
        }
    }

    /** {@code redis}, {@code redis:6379}, {@code [::1]:6379}; a bare IPv6 address has no port. */
    private static void putHostAndPort(String value, Map<String, Object> aliases) {
        String host = value;
        String port = null;
        int colon = value.lastIndexOf(':');
        boolean bracketed = value.startsWith("[");
        if (colon > 0 && (bracketed ? value.lastIndexOf(']') < colon : value.indexOf(':') == colon)) {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (!port.chars().allMatch(Character::isDigit) || port.isEmpty()) {
                throw new IllegalArgumentException(HOST + " must be host or host:port, not '" + value + "'");
            }
        }
        if (bracketed && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        aliases.put("spring.data.redis.host", host);
        if (port != null) {
            aliases.put("spring.data.redis.port", port);
        }
    }

    /** After the application's own configuration files are loaded, so that this source goes below them. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
