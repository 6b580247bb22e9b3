package org.emaillistener.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.ServiceProcess;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * End-to-end latency: from the moment a message is handed to SMTP until Creatio's stand-in receives
 * it in {@code ProcessFullEmail}. The service runs as its own process
 * ({@code listener-standalone.jar}); GreenMail (SMTP + IMAP IDLE) and the stand-in run here.
 *
 * <p>{@code --scenario=redis-footprint} runs {@link RedisFootprint} instead, {@code --scenario=scale}
 * the issue-8 figures of {@link ScaleBenchmark} against Dovecot, {@code --scenario=console} the operator
 * console's paged list at 10,000 mailboxes ({@link ConsoleBenchmark}), {@code --scenario=graph-scale} those of
 * {@link GraphScaleBenchmark}: Exchange Online mailboxes through the fake Microsoft Graph.
 *
 * <p>Arguments: {@code --messages=N} (default 200), {@code --interval-ms=M} between sends (default
 * 50), {@code --service-jar=PATH} (default {@code listener-standalone/target/listener-standalone.jar}).
 */
public final class Benchmark {

    private static final String BENCH_HEADER = "X-Bench-Sequence";

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        if ("redis-footprint".equals(options.get("scenario"))) {
            RedisFootprint.main(args);
            return;
        }
        if ("scale".equals(options.get("scenario"))) {
            ScaleBenchmark.main(options);
            return;
        }
        if ("traffic".equals(options.get("scenario"))) {
            TrafficBenchmark.main(options);
            return;
        }
        if ("console".equals(options.get("scenario"))) {
            ConsoleBenchmark.main(options);
            return;
        }
        if ("graph-scale".equals(options.get("scenario"))) {
            GraphScaleBenchmark.main(options);
            return;
        }
        int messages = Integer.parseInt(options.getOrDefault("messages", "200"));
        long intervalMillis = Long.parseLong(options.getOrDefault("interval-ms", "50"));
        Path serviceJar = Path.of(options.getOrDefault("service-jar", "listener-standalone/target/listener-standalone.jar"));
        if (!Files.isRegularFile(serviceJar)) {
            throw new IllegalStateException(serviceJar + " is missing: run ./mvnw -DskipTests package first");
        }

        int smtpPort = ServiceProcess.freePort();
        int imapPort = ServiceProcess.freePort();
        int servicePort = ServiceProcess.freePort();
        GreenMail greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(imapPort, "127.0.0.1", ServerSetup.PROTOCOL_IMAP) });
        greenMail.start();
        Process service = null;
        try (CreatioStandIn creatio = new CreatioStandIn()) {
            service = startService(serviceJar, servicePort);
            awaitService(servicePort, Duration.ofSeconds(60));
            String user = "bench@example.com";
            greenMail.setUser(user, user, "secret");
            post(servicePort, "/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                    UUID.randomUUID(), "127.0.0.1", imapPort, user, "secret", creatio.bpmEndpoint(), List.of())));

            Session smtp = smtpSession(smtpPort);
            int warmUp = 20;
            Map<Integer, Long> sentAt = new HashMap<>();
            for (int i = 0; i < warmUp + messages; i++) {
                MimeMessage message = message(smtp, user, i);
                sentAt.put(i, System.nanoTime());
                Transport.send(message);
                Thread.sleep(intervalMillis);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (creatio.acceptedEmails().size() < warmUp + messages && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            List<Double> latencies = new ArrayList<>();
            Map<Integer, Integer> deliveries = new HashMap<>();
            for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
                if (call.status() / 100 != 2) {
                    continue;
                }
                for (var email : call.body().get("Emails")) {
                    int sequence = sequence(email.get("Headers").valueStream().map(h -> h.asString()).toList());
                    deliveries.merge(sequence, 1, Integer::sum);
                    if (sequence >= warmUp && deliveries.get(sequence) == 1) {
                        latencies.add((call.receivedAtNanos() - sentAt.get(sequence)) / 1_000_000.0);
                    }
                }
            }
            latencies.sort(Double::compare);
            long lost = sentAt.keySet().stream().filter(i -> !deliveries.containsKey(i)).count();
            long duplicated = deliveries.values().stream().filter(n -> n > 1).count();
            System.out.printf("%nEnd-to-end latency, SMTP send -> Creatio ProcessFullEmail (GreenMail, standalone, loopback)%n");
            System.out.printf("%-28s %10s%n", "figure", "value");
            System.out.printf("%-28s %10d%n", "messages measured", latencies.size());
            System.out.printf("%-28s %10d%n", "lost", lost);
            System.out.printf("%-28s %10d%n", "duplicated", duplicated);
            System.out.printf("%-28s %10.1f%n", "median (ms)", Deliveries.percentile(latencies, 50));
            System.out.printf("%-28s %10.1f%n", "p90 (ms)", Deliveries.percentile(latencies, 90));
            System.out.printf("%-28s %10.1f%n", "p99 (ms)", Deliveries.percentile(latencies, 99));
            System.out.printf("%-28s %10.1f%n", "max (ms)", latencies.isEmpty() ? Double.NaN : latencies.getLast());
            if (lost > 0 || duplicated > 0) {
                System.exit(1);
            }
        } finally {
            if (service != null) {
                service.destroy();
                service.waitFor();
            }
            greenMail.stop();
        }
    }

    private static Process startService(Path jar, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = new File("target", "bench-service.log");
        log.getParentFile().mkdirs();
        Process service = new ProcessBuilder(java, "-jar", jar.toString(), "--server.port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        // Also when the benchmark itself is interrupted or killed with SIGTERM.
        Runtime.getRuntime().addShutdownHook(new Thread(service::destroy));
        return service;
    }

    private static void awaitService(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/listeners/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the service did not start within " + timeout + "; see target/bench-service.log");
    }

    private static void post(int port, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static Session smtpSession(int port) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(port));
        return Session.getInstance(props);
    }

    private static MimeMessage message(Session session, String to, int sequence) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("sender@example.com"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject("Benchmark message " + sequence);
        message.setText("Message " + sequence + " of the latency benchmark.\n".repeat(20));
        message.setHeader(BENCH_HEADER, String.valueOf(sequence));
        return message;
    }

    /** The benchmark's sequence number, from the Creatio {@link Email}'s {@code Headers} ("Name=Value"). */
    private static int sequence(List<String> headers) {
        return headers.stream().filter(h -> h.startsWith(BENCH_HEADER + "="))
                .map(h -> Integer.parseInt(h.substring(BENCH_HEADER.length() + 1).trim()))
                .findFirst().orElse(-1);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (arg.startsWith("--") && arg.contains("=")) {
                options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
        }
        return options;
    }
}
