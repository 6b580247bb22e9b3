package org.emaillistener.standalone;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/** Both roles in one process; the roles' own application classes are left out of the scan. */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(basePackages = { "org.emaillistener.common", "org.emaillistener.primary",
        "org.emaillistener.secondary" }, excludeFilters = @ComponentScan.Filter(type = FilterType.ANNOTATION,
                classes = SpringBootApplication.class))
public class StandaloneApplication {

    public static void main(String[] args) {
        SpringApplication.run(StandaloneApplication.class, args);
    }
}
