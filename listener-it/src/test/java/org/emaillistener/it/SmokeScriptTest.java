package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

/**
 * {@code .ci/smoke}, the script CI's compose job runs against {@code docker compose up}, run here
 * against the standalone jar with the compose file's own Creatio stand-in (its inline
 * {@code configs.creatio-standin.content}, run by python3) and a GreenMail: the same script, curl
 * calls and stand-in output, with the addresses pointed at loopback. It must also fail when the mail
 * does not arrive.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmokeScriptTest {

    private GreenMail greenMail;
    private Process standIn;
    private Path standInOutput;
    private int standInPort;
    private ServiceProcess standalone;

    @BeforeAll
    void startTheStack() throws Exception {
        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        greenMail.start();
        greenMail.setUser("alice@example.com", "alice", "alice");
        Path root = Path.of("..").toAbsolutePath().normalize();
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        @SuppressWarnings("unchecked")
        String script = ((Map<String, Map<String, String>>) compose.get("configs")).get("creatio-standin").get("content");
        Path work = Files.createDirectories(Path.of("target", "smoke"));
        Path standInScript = work.resolve("creatio_standin.py");
        Files.writeString(standInScript, script);
        standInOutput = work.resolve("creatio-standin.log");
        Files.deleteIfExists(standInOutput);
        standInPort = ServiceProcess.freePort();
        ProcessBuilder python = new ProcessBuilder("python3", "-u", standInScript.toString()).redirectErrorStream(true)
                .redirectOutput(standInOutput.toFile());
        python.environment().put("PORT", String.valueOf(standInPort));
        standIn = python.start();
        standalone = ModuleJars.start("smoke-standalone", "listener-standalone", "/actuator/health/readiness",
                ServiceProcess.freePort(), Map.of("LISTENER_CALLBACKS_ALLOWED_HOSTS", "127.0.0.1"), List.of(),
                List.of());
    }

    @AfterAll
    void stopTheStack() throws Exception {
        if (standalone != null) {
            standalone.close();
        }
        if (standIn != null) {
            standIn.destroy();
        }
        greenMail.stop();
    }

    @Test
    void drivesOneMailThroughTheListenerToTheStandInWithinItsDeadline() throws Exception {
        Result result = smoke(greenMail.getSmtp().getPort(), 20);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("smoke: delivered to Creatio in \\d+ ms");
        assertThat(Files.readString(standInOutput)).contains("ProcessFullEmail mailbox=", "subject='Smoke test ");
    }

    @Test
    void failsWhenTheMailDoesNotArrive() throws Exception {
        // The listener watches alice on GreenMail; the mail goes to another SMTP server (a second
        // GreenMail), so it never reaches her mailbox.
        GreenMail elsewhere = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        elsewhere.start();
        try {
            Result result = smoke(elsewhere.getSmtp().getPort(), 3);

            assertThat(result.exit()).as(result.output()).isEqualTo(1);
            assertThat(result.output()).contains("did not reach the Creatio stand-in within 3s");
        } finally {
            elsewhere.stop();
        }
    }

    private record Result(int exit, String output) {
    }

    private Result smoke(int smtpPort, int deadlineSeconds) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path output = Files.createTempFile(Path.of("target", "smoke"), "smoke-", ".out");
        ProcessBuilder smoke = new ProcessBuilder("bash", root.resolve(".ci/smoke").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = smoke.environment();
        env.put("LISTENER_URL", "http://127.0.0.1:" + standalone.port());
        env.put("SMTP_URL", "smtp://127.0.0.1:" + smtpPort);
        env.put("IMAP_HOST", "127.0.0.1");
        env.put("IMAP_PORT", String.valueOf(greenMail.getImap().getPort()));
        env.put("BPM_ENDPOINT", "http://127.0.0.1:" + standInPort
                + "/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail");
        env.put("STANDIN_OUTPUT", "cat " + standInOutput.toAbsolutePath());
        env.put("DEADLINE_SECONDS", String.valueOf(deadlineSeconds));
        Process process = smoke.start();
        assertThat(process.waitFor(deadlineSeconds + 60L, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(output));
    }
}
