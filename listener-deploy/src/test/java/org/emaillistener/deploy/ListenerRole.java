package org.emaillistener.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;

import org.emaillistener.primary.PrimaryApplication;
import org.emaillistener.secondary.SecondaryApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The two applications a split deployment runs, as the chart and the compose file name them. */
enum ListenerRole {

    PRIMARY("primary", PrimaryApplication.class),
    SECONDARY("secondary", SecondaryApplication.class);

    /** The container name in the chart, the build target in the Dockerfile, the service in compose. */
    final String role;
    final Class<?> application;

    ListenerRole(String role, Class<?> application) {
        this.role = role;
        this.application = application;
    }

    /** The package of the application's own properties: the other role does not read them. */
    String propertiesPackage() {
        return application.getPackageName() + ".";
    }

    /**
     * Starts the application in memory mode on a free port, with its own {@code application.yaml}: both
     * applications' files are on this module's classpath under the same name.
     */
    ConfigurableApplicationContext start() {
        // Command-line arguments: they take precedence over the application.yaml's server.port. The
        // paths are the same in every mode; memory mode needs no Redis, RabbitMQ or key.
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("--server.port=0",
                "--spring.main.banner-mode=off", "--spring.config.location=" + ownConfiguration(),
                "--listener.store=memory", "--listener.queue=memory"));
        if (ownPort("management.server.port") != null) {
            arguments.add("--management.server.port=0");
        }
        return new SpringApplicationBuilder(application).run(arguments.toArray(String[]::new));
    }

    /** The port the started application serves its actuator on (its own management port, if it has one). */
    static int managementPort(ConfigurableApplicationContext app) {
        Integer management = app.getEnvironment().getProperty("local.management.port", Integer.class);
        return management != null ? management : app.getEnvironment().getRequiredProperty("local.server.port",
                Integer.class);
    }

    /** A port its own {@code application.yaml} sets ({@code server.port}, {@code management.server.port}), or null. */
    Integer ownPort(String property) {
        try {
            Object port = new org.springframework.boot.env.YamlPropertySourceLoader()
                    .load("application", new org.springframework.core.io.UrlResource(ownConfiguration())).getFirst()
                    .getProperty(property);
            return port == null ? null : Integer.valueOf(port.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port its actuator answers on as configured: its management port, else its server port. */
    int ownManagementPort() {
        Integer management = ownPort("management.server.port");
        return management != null ? management : ownPort("server.port");
    }

    /** The URL of the {@code application.yaml} packaged with this role's application. */
    String ownConfiguration() {
        String codeSource = application.getProtectionDomain().getCodeSource().getLocation().getPath();
        try {
            return Collections.list(application.getClassLoader().getResources("application.yaml")).stream()
                    .map(URL::toString)
                    .filter(url -> url.contains(codeSource))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No application.yaml in " + codeSource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
