package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP server standing in for Creatio's {@code ExchangeListenerService.svc}: it records every
 * callback by operation and answers 200, or what a test scripted for the next calls.
 */
public class CreatioStandIn implements AutoCloseable {

    private static final String SERVICE_PATH = "/0/ServiceModel/ExchangeListenerService.svc/";

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, List<Call>> calls = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedQueue<Integer>> scripted = new ConcurrentHashMap<>();
    private final List<JsonNode> acceptedEmails = new CopyOnWriteArrayList<>();
    private final List<String> contractViolations = new CopyOnWriteArrayList<>();
    private final Map<String, Consumer<JsonNode>> reactions = new ConcurrentHashMap<>();
    private volatile Predicate<JsonNode> refused = email -> false;
    private volatile Chaos chaos;
    private volatile Duration answerAfter = Duration.ZERO;
    private Random random = new Random();

    /**
     * Answers ProcessFullEmail at random like a struggling Creatio: a 500, a 400, or a hang of
     * {@code hang} before a 504 (a call the listener has given up on, so not accepted).
     */
    public record Chaos(double serverErrors, double refusals, double hangs, Duration hang, long seed) {
    }

    /**
     * One callback as received, with the status it was answered with.
     *
     * @param receivedAtNanos {@link System#nanoTime()} when the request arrived
     */
    public record Call(JsonNode body, int status, long receivedAtNanos) {
    }

    public CreatioStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** What a mailbox's {@code BpmEndpoint} should say to reach this stand-in. */
    public String bpmEndpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + SERVICE_PATH + "ProcessFullEmail";
    }

    /** The next calls of {@code operation} are answered with these statuses, in order; then 200 again. */
    public void answerNext(String operation, Integer... statuses) {
        scripted.computeIfAbsent(operation, key -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    /** Answers at random from now on; null: no more chaos. */
    public void chaos(Chaos chaos) {
        if (chaos != null) {
            this.random = new Random(chaos.seed());
        }
        this.chaos = chaos;
    }

    /**
     * ProcessFullEmail is answered only after this long, as a real Creatio takes its time to queue the
     * emails (tens to hundreds of milliseconds).
     */
    public void answerAfter(Duration delay) {
        this.answerAfter = delay;
    }

    /** ProcessFullEmail calls carrying an email that matches are answered 400, as Creatio's exceptions are. */
    public void refuseEmails(Predicate<JsonNode> which) {
        this.refused = which;
    }

    /** Forgets the scripted answers: every call is answered 200 again. */
    public void answerNormally() {
        scripted.clear();
    }

    /**
     * Runs {@code reaction} on each call of {@code operation} before answering it, as Creatio does
     * with RefreshToken: it calls the listener's /update first.
     */
    public void onCall(String operation, Consumer<JsonNode> reaction) {
        reactions.put(operation, reaction);
    }

    public List<Call> calls(String operation) {
        return List.copyOf(calls.getOrDefault(operation, List.of()));
    }

    /**
     * Every way a callback so far differed from what Creatio reads ({@link CreatioContract}); a test
     * asserts there were none.
     */
    public List<String> contractViolations() {
        return List.copyOf(contractViolations);
    }

    /** Emails of every ProcessFullEmail call answered 2xx, in arrival order. */
    public List<JsonNode> acceptedEmails() {
        return List.copyOf(acceptedEmails);
    }

    public List<String> acceptedSubjects() {
        return acceptedEmails().stream().map(email -> email.get("Subject").asString()).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith(SERVICE_PATH) || !"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long receivedAtNanos = System.nanoTime();
            String operation = path.substring(SERVICE_PATH.length());
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = json.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            Consumer<JsonNode> reaction = reactions.get(operation);
            if (reaction != null) {
                reaction.accept(body);
            }
            Integer next = scripted.getOrDefault(operation, new ConcurrentLinkedQueue<>()).poll();
            int status = next == null ? 200 : next;
            // Read as Creatio's DataContractJsonSerializer would: what it cannot read fails the call (400).
            List<String> violations = CreatioContract.violations(operation, body);
            if (!violations.isEmpty()) {
                violations.forEach(violation -> contractViolations.add(operation + ": " + violation));
                status = 400;
            }
            if ("ProcessFullEmail".equals(operation) && body.get("Emails").valueStream().anyMatch(refused)) {
                status = 400;
            }
            if ("ProcessFullEmail".equals(operation) && !answerAfter.isZero()) {
                Thread.sleep(answerAfter);
            }
            Chaos now = chaos;
            if (now != null && "ProcessFullEmail".equals(operation) && next == null) {
                double draw;
                synchronized (this) {
                    draw = random.nextDouble();
                }
                if (draw < now.serverErrors()) {
                    status = 500;
                } else if (draw < now.serverErrors() + now.refusals()) {
                    status = 400;
                } else if (draw < now.serverErrors() + now.refusals() + now.hangs()) {
                    Thread.sleep(now.hang());
                    status = 504;
                }
            }
            calls.computeIfAbsent(operation, key -> new CopyOnWriteArrayList<>()).add(new Call(body, status, receivedAtNanos));
            if (status / 100 == 2 && "ProcessFullEmail".equals(operation)) {
                body.get("Emails").forEach(acceptedEmails::add);
            }
            byte[] answer = status / 100 == 2 ? new byte[0]
                    : "<html><body>Creatio failed</body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every callback of every operation, for assertions that nothing unexpected was called. */
    public List<String> operations() {
        return new ArrayList<>(calls.keySet());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
