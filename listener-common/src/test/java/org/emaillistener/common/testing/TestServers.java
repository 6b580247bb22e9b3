package org.emaillistener.common.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The real Redis and RabbitMQ the integration tests run against. The address in
 * {@code REDIS_HOST}/{@code REDIS_PORT} and {@code RABBITMQ_HOST}/{@code RABBITMQ_PORT} (by default
 * 127.0.0.1:6379 and 127.0.0.1:5672, where {@code .ci/run} starts them) is used if the server
 * answers there; otherwise, if Docker is available, Testcontainers starts one for the test JVM;
 * otherwise the test fails saying what to start. A test is never skipped for want of a server.
 */
public final class TestServers {

    private static Address redis;
    private static RabbitMq rabbitMq;

    private TestServers() {
    }

    public record Address(String host, int port) {
    }

    /** A RabbitMQ broker and the {@code rabbitmqctl} that inspects it. */
    public record RabbitMq(Address address, GenericContainer<?> container) {

        /** Runs {@code rabbitmqctl} (locally, or in the container) and returns its standard output. */
        public String rabbitmqctl(String... arguments) {
            List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
            command.addAll(List.of(arguments));
            try {
                return container != null ? inContainer(command) : locally(command);
            } catch (IOException e) {
                return fail("cannot run rabbitmqctl to inspect the RabbitMQ at " + address.host() + ":"
                        + address.port() + " (" + e.getMessage() + "); the test needs it on the PATH", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while running " + command, e);
            }
        }

        private String inContainer(List<String> command) throws IOException, InterruptedException {
            ExecResult result = container.execInContainer(command.toArray(String[]::new));
            if (result.getExitCode() != 0) {
                fail(command + " failed with " + result.getExitCode() + ": " + result.getStderr());
            }
            return result.getStdout();
        }

        private static String locally(List<String> command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                fail(command + " failed: " + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        }
    }

    public static synchronized Address redis() {
        if (redis == null) {
            Address configured = configured("REDIS_HOST", "REDIS_PORT", 6379);
            if (answers(configured, TestServers::redisAnswers)) {
                redis = configured;
            } else {
                GenericContainer<?> container = start("Redis", configured, "REDIS_HOST/REDIS_PORT",
                        new GenericContainer<>("redis:7-alpine").withExposedPorts(6379)
                                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)));
                redis = new Address(container.getHost(), container.getMappedPort(6379));
            }
        }
        return redis;
    }

    public static synchronized RabbitMq rabbitMq() {
        if (rabbitMq == null) {
            Address configured = configured("RABBITMQ_HOST", "RABBITMQ_PORT", 5672);
            if (answers(configured, TestServers::amqpAnswers)) {
                rabbitMq = new RabbitMq(configured, null);
            } else {
                GenericContainer<?> container = start("RabbitMQ", configured, "RABBITMQ_HOST/RABBITMQ_PORT",
                        new GenericContainer<>("rabbitmq:3.13").withExposedPorts(5672)
                                .waitingFor(Wait.forLogMessage(".*Server startup complete.*", 1)));
                rabbitMq = new RabbitMq(new Address(container.getHost(), container.getMappedPort(5672)), container);
            }
        }
        return rabbitMq;
    }

    private static Address configured(String hostVariable, String portVariable, int defaultPort) {
        String host = System.getenv().getOrDefault(hostVariable, "127.0.0.1");
        String port = System.getenv(portVariable);
        return new Address(host, port == null || port.isBlank() ? defaultPort : Integer.parseInt(port.strip()));
    }

    private static GenericContainer<?> start(String server, Address configured, String variables,
            GenericContainer<?> container) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            fail("No " + server + " answers at " + configured.host() + ":" + configured.port() + " (set " + variables
                    + " to point at one), and there is no Docker environment to start one with Testcontainers. "
                    + "Start " + server + " there (.ci/run shows how) and run the tests again.");
        }
        container.start();
        return container;
    }

    private static boolean answers(Address address, Predicate<Socket> speaksProtocol) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), 2000);
            socket.setSoTimeout(5000);
            return speaksProtocol.test(socket);
        } catch (IOException e) {
            return false;
        }
    }

    /** A Redis answers PING with +PONG, or with an error if it wants a password: it answers either way. */
    private static boolean redisAnswers(Socket socket) {
        try {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            int first = socket.getInputStream().read();
            return first == '+' || first == '-';
        } catch (IOException e) {
            return false;
        }
    }

    /** An AMQP 0-9-1 broker answers the protocol header with a method frame (Connection.Start). */
    private static boolean amqpAnswers(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 });
            InputStream in = socket.getInputStream();
            return in.read() == 1;
        } catch (IOException e) {
            return false;
        }
    }
}
