package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's README lists every value: its parameter table is generated from values.yaml's
 * {@code ## @param} comments by readme-generator-for-helm (npm, pinned in {@code .ci/chart-readme}),
 * which also refuses a value without one; the committed README is what the tool writes now.
 */
class ChartReadmeTest {

    private static final Path GENERATOR = RepositoryFiles.root().resolve(".ci/chart-readme");

    @BeforeAll
    static void installTheGenerator() throws Exception {
        if (!Files.isExecutable(GENERATOR.resolve("node_modules/.bin/readme-generator"))) {
            assertThat(run(GENERATOR, "npm", "ci", "--no-audit", "--no-fund")).isZero();
        }
    }

    @Test
    void theReadmeIsWhatTheGeneratorWritesFromValuesYaml() throws Exception {
        assertThat(run(GENERATOR, "bash", GENERATOR.resolve("generate").toString(), "--check"))
                .as("helm/email-listener/README.md is current (.ci/chart-readme/generate)").isZero();
        String readme = RepositoryFiles.read(RepositoryFiles.chart().resolve("README.md"));
        assertThat(readme).contains("| `callbacks.allowedHosts`", "| `encryption.key`", "| `networkPolicy.apiFrom`",
                "| `metrics.prometheusRule.enabled`", "| `primary.extraVolumes`", "| `tests.enabled`");
    }

    @Test
    void aValueWithoutItsDescriptionIsRefused() throws Exception {
        Path copy = Files.createTempDirectory("chart-readme-");
        String values = RepositoryFiles.read(RepositoryFiles.chart().resolve("values.yaml"));
        Files.writeString(copy.resolve("values.yaml"), values.replace("## @param logLevel ", "## @extra logLevel "));
        Files.copy(RepositoryFiles.chart().resolve("README.md"), copy.resolve("README.md"));

        int exit = run(copy, GENERATOR.resolve("node_modules/.bin/readme-generator").toString(), "--values",
                copy.resolve("values.yaml").toString(), "--readme", copy.resolve("README.md").toString());

        assertThat(exit).isNotZero();
    }

    private static int run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        return process.exitValue();
    }
}
