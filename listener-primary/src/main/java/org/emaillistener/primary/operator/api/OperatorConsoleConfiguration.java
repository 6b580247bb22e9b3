package org.emaillistener.primary.operator.api;

import org.emaillistener.primary.operator.OperatorProperties;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The console in the management server's context only ({@code CHILD}): where the management port is
 * the API's, there is no console, so that it is never reachable by whoever can reach Creatio's API. The
 * child context has no controller mapping of its own, hence {@code @EnableWebMvc}.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@EnableWebMvc
@Import(OperatorController.class)
public class OperatorConsoleConfiguration implements WebMvcConfigurer {

    /**
     * Every class of this package, for the applications' component scans to leave out: scanned into the
     * application's context, the controller would answer on Creatio's API port, unguarded.
     */
    public static final String PACKAGE_PATTERN = "org\\.emaillistener\\.primary\\.operator\\.api\\..*";

    private final OperatorProperties properties;

    OperatorConsoleConfiguration(OperatorProperties properties) {
        this.properties = properties;
    }

    @Bean
    OperatorAccess operatorAccess() {
        return new OperatorAccess(properties);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(operatorAccess()).addPathPatterns("/operator", "/operator/**");
    }
}
