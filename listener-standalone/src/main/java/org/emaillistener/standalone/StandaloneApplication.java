package org.emaillistener.standalone;

import org.emaillistener.primary.operator.api.OperatorConsoleConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Both roles in one process; the roles' own application classes are left out of the scan, and so is
 * the operator console's web side, which belongs to the management server's own context (in this one it
 * would answer on Creatio's API port).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(basePackages = { "org.emaillistener.common", "org.emaillistener.primary",
        "org.emaillistener.secondary" }, excludeFilters = {
                @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = SpringBootApplication.class),
                @ComponentScan.Filter(type = FilterType.REGEX, pattern = OperatorConsoleConfiguration.PACKAGE_PATTERN) })
public class StandaloneApplication {

    public static void main(String[] args) {
        SpringApplication.run(StandaloneApplication.class, args);
    }
}
