package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class CreatioRedisVariablesTest {

    private final StandardEnvironment environment = new StandardEnvironment();

    @Test
    void readsCreatiosHostPortDatabaseAndPassword() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "redis-master.creatio:6380",
                "ExchangeListenerRedisDatabase", "3", "ExchangeListenerRedisPassword", " s3cret "));

        postProcess();

        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("redis-master.creatio");
        assertThat(environment.getProperty("spring.data.redis.port", Integer.class)).isEqualTo(6380);
        assertThat(environment.getProperty("spring.data.redis.database", Integer.class)).isEqualTo(3);
        assertThat(environment.getProperty("spring.data.redis.password")).isEqualTo(" s3cret ");
    }

    @Test
    void aHostWithoutPortKeepsSpringsPort() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "redis"));

        postProcess();

        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("redis");
        assertThat(environment.containsProperty("spring.data.redis.port")).isFalse();
    }

    @Test
    void readsIpv6Addresses() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "[fd00::1]:6379"));

        postProcess();

        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("fd00::1");
        assertThat(environment.getProperty("spring.data.redis.port")).isEqualTo("6379");
    }

    @Test
    void explicitSpringSettingsWin() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "redis-master:6380", "ExchangeListenerRedisDatabase",
                "3"));
        environment.getPropertySources().addFirst(new MapPropertySource("applicationConfig",
                Map.of("spring.data.redis.host", "explicit", "spring.data.redis.database", "5")));

        postProcess();

        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("explicit");
        assertThat(environment.getProperty("spring.data.redis.database")).isEqualTo("5");
        assertThat(environment.getProperty("spring.data.redis.port")).isEqualTo("6380");
    }

    @Test
    void theVariablesWinOverTheApplicationsDefaultProperties() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "redis-master:6380"));
        environment.getPropertySources().addLast(new MapPropertySource(DefaultPropertiesPropertySource.NAME,
                Map.of("spring.data.redis.host", "default")));

        postProcess();

        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("redis-master");
    }

    @Test
    void addsNothingWhenCreatiosVariablesAreAbsent() {
        postProcess();

        assertThat(environment.getPropertySources().contains(CreatioRedisVariables.SOURCE_NAME)).isFalse();
    }

    @Test
    void refusesAMalformedPort() {
        deploymentVariables(Map.of("ExchangeListenerRedisHost", "redis:sixty"));

        assertThatThrownBy(this::postProcess).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ExchangeListenerRedisHost must be host or host:port, not 'redis:sixty'");
    }

    private void deploymentVariables(Map<String, Object> variables) {
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
    }

    private void postProcess() {
        new CreatioRedisVariables().postProcessEnvironment(environment, new SpringApplication());
    }
}
