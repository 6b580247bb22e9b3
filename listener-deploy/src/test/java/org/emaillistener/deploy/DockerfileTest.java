package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, read as text (no Docker engine here to build it): the targets the compose file and
 * the chart's images need, and the runtime settings graceful shutdown and a read-only root depend on.
 */
class DockerfileTest {

    private static final String DOCKERFILE = RepositoryFiles.read(RepositoryFiles.dockerfile());

    static List<String> stages() {
        return Pattern.compile("(?m)^FROM \\S+ AS (\\S+)$").matcher(DOCKERFILE).results().map(m -> m.group(1)).toList();
    }

    @Test
    void buildsOneImagePerApplication() {
        assertThat(stages()).contains("primary", "secondary", "standalone");
    }

    @Test
    void buildsOnTemurin25AndRunsOnItsJre() {
        assertThat(DOCKERFILE).containsPattern("(?m)^FROM eclipse-temurin:25-jdk AS build$")
                .containsPattern("(?m)^FROM eclipse-temurin:25-jre AS runtime$");
    }

    @Test
    void unpacksTheExecutableJarsTheModulesBuild() {
        assertThat(DOCKERFILE).contains("listener-$app/target/listener-$app.jar",
                "java -Djarmode=tools -jar", "extract --layers --launcher");
        for (String app : List.of("primary", "secondary", "standalone")) {
            assertThat(RepositoryFiles.read(RepositoryFiles.root().resolve("listener-" + app + "/pom.xml")))
                    .contains("<finalName>listener-" + app + "</finalName>");
            for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
                assertThat(DOCKERFILE).contains("COPY --from=build /layers/" + app + "/" + layer + "/ ./");
            }
        }
    }

    @Test
    void startsTheJvmAsPid1SoThatSigtermReachesIt() {
        assertThat(DOCKERFILE).containsPattern(
                "(?m)^ENTRYPOINT \\[\"java\", \"org\\.springframework\\.boot\\.loader\\.launch\\.JarLauncher\"\\]$");
    }

    @Test
    void runsAsTheNumericNonRootUserTheChartExpects() {
        assertThat(DOCKERFILE).containsPattern("(?m)^USER 10001:10001$");
        assertThat(RepositoryFiles.read(RepositoryFiles.chart().resolve("values.yaml"))).contains("runAsUser: 10001");
    }

    @Test
    void sizesTheHeapFromTheContainerAndKeepsOnlyTmpWritable() {
        assertThat(DOCKERFILE).contains("-XX:MaxRAMPercentage=75").containsPattern("(?m)^VOLUME /tmp$");
    }
}
