package org.emaillistener.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.emaillistener.common.testing.ServiceProcess;

/**
 * The listener's applications as their modules package them, run the way these tests run them:
 * small heaps that start quickly, output in {@code target/processes/<name>.log}.
 */
final class ModuleJars {

    private ModuleJars() {
    }

    /**
     * Starts {@code module}'s jar on {@code port} with these JVM options and Spring arguments; returns
     * once it answers {@code readyPath}.
     */
    static ServiceProcess start(String name, String module, String readyPath, int port,
            Map<String, String> environment, List<String> jvmOptions, List<String> arguments)
            throws IOException, InterruptedException {
        Path jar = Path.of("..", module, "target", module + ".jar").toAbsolutePath().normalize();
        List<String> jvm = new ArrayList<>(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto"));
        jvm.addAll(jvmOptions);
        ServiceProcess process = ServiceProcess.start(name, jar, port, environment, jvm, arguments,
                Path.of("target", "processes", name + ".log"));
        try {
            process.awaitAnswer(readyPath, Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            process.kill();
            throw e;
        }
        return process;
    }
}
