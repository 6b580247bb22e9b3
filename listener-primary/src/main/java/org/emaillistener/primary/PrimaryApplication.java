package org.emaillistener.primary;

import org.springframework.boot.SpringApplication;
import org.emaillistener.primary.operator.api.OperatorConsoleConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * The operator console's web side ({@code operator.api}) is left out of the scan: it belongs to the
 * management server's own context, and in this one it would answer on Creatio's API port.
 */
@SpringBootApplication
@ComponentScan(basePackages = { "org.emaillistener.common", "org.emaillistener.primary" },
        excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX, pattern = OperatorConsoleConfiguration.PACKAGE_PATTERN))
public class PrimaryApplication {

    public static void main(String[] args) {
        SpringApplication.run(PrimaryApplication.class, args);
    }
}
