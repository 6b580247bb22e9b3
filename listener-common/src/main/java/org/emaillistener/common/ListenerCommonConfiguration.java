package org.emaillistener.common;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.crypto.EncryptionProperties;
import org.emaillistener.common.cursor.DeliveredWindow;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.mail.MailServerDestinations;
import org.emaillistener.common.mail.MailServerProperties;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.route.MailRoutes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import tools.jackson.databind.json.JsonMapper;

/** The beans both roles use. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ CreatioProperties.class, CreatioProperties.Callbacks.class, ImapProperties.class,
        SyncJobProperties.class, DeliveredWindow.class, ExchangeProperties.class,
        GraphProperties.class, MailServerProperties.class, EncryptionProperties.class })
class ListenerCommonConfiguration {

    /** Spring MVC reads request bodies in Creatio's dialect (unquoted property names). */
    @Bean
    JsonMapperBuilderCustomizer creatioJsonDialect() {
        return CreatioJson::configure;
    }

    @Bean
    CallbackAllowList callbackAllowList(CreatioProperties.Callbacks callbacks) {
        return new CallbackAllowList(callbacks.allowedHosts());
    }

    @Bean
    CreatioClient creatioClient(JsonMapper jsonMapper, CreatioProperties properties, CallbackAllowList allowList,
            ObjectProvider<MeterRegistry> meters) {
        // The apps have a registry (actuator); a context without one still gets a working client.
        return new CreatioClient(jsonMapper, properties, allowList, meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    MailServerDestinations mailServerDestinations(MailServerProperties properties) {
        return new MailServerDestinations(properties.allowedHosts());
    }

    @Bean
    ExchangeConnector exchangeConnector(ExchangeProperties properties, MailServerDestinations destinations) {
        return new ExchangeConnector(properties, destinations);
    }

    /** Graph verifies TLS with the JDK's defaults unless a {@link GraphTls} bean says otherwise (tests). */
    @Bean
    GraphConnector graphConnector(GraphProperties properties, ObjectProvider<GraphTls> tls) {
        return new GraphConnector(properties, tls.getIfAvailable(GraphTls::jdkDefault));
    }

    @Bean
    MailRoutes mailRoutes(GraphConnector graph) {
        return new MailRoutes(graph);
    }

    /**
     * {@code email_listener_build_info{version,commit}}, always 1: which build each replica runs, from
     * Spring Boot's build-info and git.properties ("unknown" where a build had none, as the image's).
     */
    @Bean
    MeterBinder buildInfoMetric(ObjectProvider<BuildProperties> build, ObjectProvider<GitProperties> git) {
        return registry -> Gauge.builder("email.listener.build.info", () -> 1)
                .description("Always 1; its labels say which build this process runs")
                .tag("version", build.getIfAvailable() == null ? "unknown" : build.getIfAvailable().getVersion())
                .tag("commit", commit(build.getIfAvailable(), git.getIfAvailable()))
                .register(registry);
    }

    /**
     * The build's commit, short: from git.properties, else from build-info's {@code commit} (an image
     * built with {@code --build-arg GIT_COMMIT}), else "unknown".
     */
    static String commit(BuildProperties build, GitProperties git) {
        if (git != null && git.getShortCommitId() != null) {
            return git.getShortCommitId();
        }
        String given = build == null ? null : build.get("commit");
        if (given != null && given.matches("[0-9a-fA-F]{7,40}")) {
            return given.substring(0, 7).toLowerCase(java.util.Locale.ROOT);
        }
        return "unknown";
    }

    @Bean
    ImapConnector imapConnector(ImapProperties properties, MailServerDestinations destinations) {
        return new ImapConnector(properties, destinations);
    }
}
