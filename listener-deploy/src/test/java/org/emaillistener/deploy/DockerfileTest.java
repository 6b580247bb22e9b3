package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The Dockerfile: its build stage replayed without Docker ({@link DockerBuildStage}), and, read as text
 * (no Docker engine here to run an image), the targets the compose file and the chart need and the
 * runtime settings graceful shutdown and a read-only root depend on.
 */
class DockerfileTest {

    private static final String DOCKERFILE = RepositoryFiles.read(RepositoryFiles.dockerfile());
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

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

    /**
     * The build stage replayed from the Dockerfile itself (no Docker here): exactly the files its COPY
     * lines copy, in an empty folder, then its RUN lines. A module the root pom lists but the file
     * does not copy fails Maven here as it fails {@code docker build}; the jars and the layers the
     * runtime stages copy must come out.
     */
    @Test
    void theBuildStageBuildsTheJarsAndLayersTheImagesCopyFromExactlyWhatItCopies() throws Exception {
        DockerBuildStage build = DockerBuildStage.of(DOCKERFILE, "build");
        Path image = Files.createTempDirectory("docker-build-stage-");
        try {
            Path workdir = build.copy(RepositoryFiles.root(), image);
            assertThat(workdir.resolve("listener-deploy/src")).as(".dockerignore and COPY keep tests out").doesNotExist();
            Path log = image.resolve("build.log");
            for (String command : build.commands(image)) {
                ProcessBuilder run = new ProcessBuilder("bash", "-c", command).directory(workdir.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                run.environment().putAll(build.args());
                // As docker build --build-arg GIT_COMMIT=<sha> gives it (the context has no .git).
                run.environment().put("GIT_COMMIT", COMMIT);
                run.environment().put("JAVA_HOME", System.getProperty("java.home"));
                run.environment().put("PATH", System.getProperty("java.home") + "/bin:" + System.getenv("PATH"));
                Process process = run.start();
                assertThat(process.waitFor(10, TimeUnit.MINUTES)).as(command).isTrue();
                assertThat(process.exitValue()).as("%s%n%s", command, tail(log)).isZero();
            }
            for (String app : List.of("primary", "secondary", "standalone")) {
                assertThat(workdir.resolve("listener-" + app + "/target/listener-" + app + ".jar")).isRegularFile();
                for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies",
                        "application")) {
                    assertThat(DOCKERFILE).contains("COPY --from=build /layers/" + app + "/" + layer + "/ ./");
                    assertThat(image.resolve("layers/" + app + "/" + layer)).isDirectory();
                }
                assertThat(image.resolve("layers/" + app + "/application/BOOT-INF/classes")).isDirectory();
                assertThat(image.resolve("layers/" + app + "/application/META-INF/build-info.properties"))
                        .content().contains("build.commit=" + COMMIT);
                Path git = image.resolve("layers/" + app + "/application/BOOT-INF/classes/git.properties");
                if (Files.exists(git)) {
                    assertThat(git).as("no .git in the build context: no commit of its own")
                            .content().doesNotContain("git.commit.id");
                }
                assertThat(image.resolve("layers/" + app + "/spring-boot-loader/org/springframework/boot/loader"))
                        .isDirectory();
            }
        } finally {
            DockerBuildStage.delete(image);
        }
    }

    @Test
    void theReplayMissesWhatTheBuildStageDoesNotCopy() throws Exception {
        String withoutAModule = DOCKERFILE.replace("COPY listener-it/pom.xml listener-it/\n", "");
        DockerBuildStage build = DockerBuildStage.of(withoutAModule, "build");
        Path image = Files.createTempDirectory("docker-build-stage-");
        try {
            Path workdir = build.copy(RepositoryFiles.root(), image);

            assertThat(workdir.resolve("pom.xml")).isRegularFile();
            assertThat(workdir.resolve("listener-it")).doesNotExist();
            assertThat(workdir.resolve("listener-common/src/main/java")).isDirectory();
            assertThat(build.commands(image)).first().asString().startsWith("./mvnw ").doesNotContain("--mount");
        } finally {
            DockerBuildStage.delete(image);
        }
    }

    private static String tail(Path log) {
        List<String> lines = RepositoryFiles.read(log).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
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
