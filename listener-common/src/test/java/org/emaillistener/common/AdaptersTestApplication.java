package org.emaillistener.common;

import java.util.Arrays;

import org.emaillistener.common.memory.MemoryAdapters;
import org.emaillistener.common.rabbitmq.RabbitMqAdapters;
import org.emaillistener.common.redis.RedisAdapters;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/** The common beans and every adapter configuration, as the applications wire them, without a web server. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ ListenerCommonConfiguration.class, MemoryAdapters.class, RedisAdapters.class, RabbitMqAdapters.class })
public class AdaptersTestApplication {

    /** @param properties {@code name=value} pairs, as if from the environment */
    public static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(AdaptersTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off")
                .run(Arrays.stream(properties).map(property -> "--" + property).toArray(String[]::new));
    }
}
