package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.awaitility.core.ConditionTimeoutException;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.ServiceProcess;
import org.emaillistener.common.testing.TcpProxy;
import org.emaillistener.common.testing.TestServers;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A split deployment for one test class: primary and secondary processes started from their jars
 * with one encryption key, sharing the real Redis and RabbitMQ (each through a relay the test can
 * cut) under names of their own (a Redis key prefix, an exchange and queues), and delivering to one
 * Creatio stand-in. It reads what the processes keep in Redis (who holds which mailbox, which
 * listen), waits for mail to reach Creatio exactly once, and on close stops every process and
 * removes what the run left in Redis and RabbitMQ.
 */
final class Deployment implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(90);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "el-it-" + run + ":";
    private final String queue = "email-listener-it-" + run;
    private final String encryptionKey;
    private final List<String> jvmOptions;
    private final List<String> arguments;
    private final TcpProxy redisRelay;
    private final TcpProxy rabbitRelay;
    private final LettuceConnectionFactory redisConnection;
    private final StringRedisTemplate redis;
    private final CreatioStandIn creatio;
    /** Every process started, stopped ones too: their logs explain a failure. */
    private final List<ServiceProcess> started = new ArrayList<>();

    /**
     * @param jvmOptions the JVM options of every process
     * @param arguments the Spring arguments of every process, beside those of the shared parts
     */
    Deployment(List<String> jvmOptions, List<String> arguments) throws IOException {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.arguments = List.copyOf(arguments);
        TestServers.Address redisAddress = TestServers.redis();
        TestServers.Address rabbitAddress = TestServers.rabbitMq().address();
        redisRelay = new TcpProxy(redisAddress.host(), redisAddress.port());
        rabbitRelay = new TcpProxy(rabbitAddress.host(), rabbitAddress.port());
        redisConnection = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redisAddress.host(), redisAddress.port()));
        redisConnection.afterPropertiesSet();
        redisConnection.start();
        redis = new StringRedisTemplate(redisConnection);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        encryptionKey = Base64.getEncoder().encodeToString(key);
        creatio = new CreatioStandIn();
    }

    /** The Creatio the secondaries deliver to. */
    CreatioStandIn creatio() {
        return creatio;
    }

    /** A primary replica named {@code name}, with leases short enough for a test to wait out. */
    ServiceProcess primary(String name, List<String> arguments) throws Exception {
        return primary(name, ServiceProcess.freePort(), arguments);
    }

    /** A primary on a port chosen beforehand, for an address the other processes are given first. */
    ServiceProcess primary(String name, int port, List<String> arguments) throws Exception {
        List<String> primaryArguments = new ArrayList<>(List.of("--listener.primary.replica-id=" + name,
                "--listener.primary.lease-ttl=6s", "--listener.primary.reconcile-interval=1s"));
        primaryArguments.addAll(arguments);
        return start(name, "listener-primary", "/api/listeners/status", port, primaryArguments);
    }

    ServiceProcess secondary(String name) throws Exception {
        return start(name, "listener-secondary", "/actuator/health/liveness", ServiceProcess.freePort(), List.of());
    }

    private ServiceProcess start(String name, String module, String readyPath, int port, List<String> own)
            throws Exception {
        List<String> all = new ArrayList<>(List.of("--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + redisRelay.port(), "--spring.rabbitmq.host=127.0.0.1",
                "--spring.rabbitmq.port=" + rabbitRelay.port(), "--listener.redis.key-prefix=" + prefix,
                "--listener.rabbitmq.exchange=" + queue, "--listener.rabbitmq.queue=" + queue + ".sync",
                "--listener.rabbitmq.dead-letter-queue=" + queue + ".sync.dead",
                "--listener.jobs.retry-initial-delay=200ms", "--listener.jobs.retry-max-delay=2s",
                "--listener.jobs.concurrency=8", "--listener.sync.lock-ttl=10s",
                // The Creatio stand-in listens on loopback.
                "--listener.callbacks.allowed-hosts=127.0.0.1"));
        all.addAll(arguments);
        all.addAll(own);
        ServiceProcess process = ModuleJars.start(name, module, readyPath, port,
                Map.of("LISTENER_SECURITY_ENCRYPTION_KEY", encryptionKey), jvmOptions, all);
        started.add(process);
        return process;
    }

    /** Every process's connections to Redis and RabbitMQ are dropped, and new ones refused. */
    void cutRedisAndRabbitMq() throws IOException {
        redisRelay.cut();
        rabbitRelay.cut();
    }

    void restoreRedisAndRabbitMq() throws IOException {
        redisRelay.restore();
        rabbitRelay.restore();
    }

    /** The holder of each leased mailbox, read from Redis. */
    Map<UUID, String> holders() {
        Map<UUID, String> holders = new HashMap<>();
        String leases = prefix + "lease:";
        for (String key : redis.keys(leases + "*")) {
            String holder = redis.opsForValue().get(key);
            if (holder != null) {
                holders.put(UUID.fromString(key.substring(leases.length())), holder);
            }
        }
        return holders;
    }

    List<UUID> heldBy(String replica) {
        return holders().entrySet().stream().filter(entry -> entry.getValue().equals(replica))
                .map(Map.Entry::getKey).toList();
    }

    /** The mailboxes whose state in Redis is listening. */
    List<UUID> listening() {
        String states = prefix + "state:";
        return redis.keys(states + "*").stream().map(key -> UUID.fromString(key.substring(states.length())))
                .filter(mailbox -> listeningSince(mailbox).isPresent()).toList();
    }

    Optional<Instant> listeningSince(UUID mailbox) {
        String state = redis.opsForValue().get(prefix + "state:" + mailbox);
        if (state == null) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(state);
        return "LISTENING".equals(node.get("status").asString())
                ? Optional.of(Instant.parse(node.get("since").asString()))
                : Optional.empty();
    }

    /** Every value the deployment keeps in Redis, as text (hashes and sets by their members). */
    List<String> storedValues() {
        List<String> values = new ArrayList<>();
        for (String key : redis.keys(prefix + "*")) {
            switch (redis.type(key).code()) {
                case "string" -> values.add(redis.opsForValue().get(key));
                case "set" -> values.addAll(redis.opsForSet().members(key));
                case "hash" -> redis.opsForHash().values(key).forEach(value -> values.add(value.toString()));
                case "zset" -> values.addAll(redis.opsForZSet().range(key, 0, -1));
                default -> values.add(key);
            }
        }
        return values;
    }

    /** The bytes Redis spends on the deployment's keys (MEMORY USAGE of each). */
    long memoryUsage() {
        long bytes = 0;
        RedisScript<Long> usage = RedisScript.of("return redis.call('MEMORY', 'USAGE', KEYS[1])", Long.class);
        for (String key : redis.keys(prefix + "*")) {
            Long keyBytes = redis.execute(usage, List.of(key));
            bytes += keyBytes == null ? 0 : keyBytes;
        }
        return bytes;
    }

    /**
     * Every email sent so far reaches Creatio, and none twice.
     *
     * @param sent the subject of each email sent, with the mailbox it was sent to
     */
    void awaitDeliveredOnce(Map<String, UUID> sent) throws InterruptedException {
        try {
            await().atMost(DELIVERY_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> creatio.acceptedSubjects().containsAll(sent.keySet()));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(undelivered(sent), e);
        }
        Thread.sleep(3000);
        Map<String, Long> deliveries = creatio.acceptedSubjects().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
        assertThat(deliveries).allSatisfy((subject, count) -> assertThat(count).as(subject).isEqualTo(1));
    }

    /**
     * What a run that timed out needs to be understood from CI's output alone: each mail not
     * delivered, its mailbox's holder, state and cursors, and the processes' last log lines about
     * that mailbox.
     */
    private String undelivered(Map<String, UUID> sent) {
        List<String> missing = sent.keySet().stream().filter(subject -> !creatio.acceptedSubjects().contains(subject))
                .toList();
        StringBuilder report = new StringBuilder("Not delivered within " + DELIVERY_TIMEOUT.toSeconds() + " s: "
                + missing.size() + " of " + sent.size());
        for (String subject : missing) {
            UUID mailbox = sent.get(subject);
            report.append("\n- ").append(subject).append(": mailbox ").append(mailbox).append(" held by ")
                    .append(holders().get(mailbox)).append(", state ")
                    .append(redis.opsForValue().get(prefix + "state:" + mailbox)).append(", cursors ")
                    .append(cursors(mailbox));
            for (ServiceProcess process : started) {
                try {
                    List<String> lines = Files.readAllLines(process.logFile()).stream()
                            .filter(line -> line.contains(String.valueOf(mailbox))).toList();
                    lines.subList(Math.max(0, lines.size() - 8), lines.size())
                            .forEach(line -> report.append("\n    ").append(process.name()).append(": ").append(line));
                } catch (IOException e) {
                    report.append("\n    ").append(process.name()).append(": log unreadable: ").append(e);
                }
            }
        }
        return report.toString();
    }

    /** The mailbox's cursors by folder. */
    private Map<String, String> cursors(UUID mailbox) {
        String cursors = prefix + "cursor:" + mailbox + ":";
        Map<String, String> byFolder = new TreeMap<>();
        redis.keys(cursors + "*").forEach(key -> byFolder.put(key.substring(cursors.length()),
                redis.opsForValue().get(key)));
        return byFolder;
    }

    /**
     * Stops everything and removes what the deployment left in Redis and RabbitMQ; then fails if any
     * callback of the run was one Creatio would not read as meant (the stand-in checks each against
     * Creatio's contract), so every test on the deployment asserts it.
     */
    @Override
    public void close() throws Exception {
        for (ServiceProcess process : started) {
            process.close();
        }
        List<String> violations = creatio.contractViolations();
        creatio.close();
        redisRelay.close();
        rabbitRelay.close();
        var keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
        redisConnection.destroy();
        // The sync queue, its dead letters and its delay queues (.sync.delay.<ms>ms).
        for (String name : TestServers.rabbitMq().rabbitmqctl("list_queues", "-q", "name").split("\\R")) {
            if (name.strip().startsWith(queue + ".sync")) {
                TestServers.rabbitMq().rabbitmqctl("delete_queue", name.strip());
            }
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("Callbacks Creatio would not read as meant: " + violations);
        }
    }
}
