package org.emaillistener.secondary.sync;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.secondary.mime.ConvertedEmail;
import org.emaillistener.secondary.mime.EmailConverter;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One delivery of a message with a large attachment, run in a JVM of its own (see
 * {@link LargeMailHeapTest}) so that its heap holds nothing else: converts the message from a file
 * and POSTs it to a stand-in that only counts the bytes, then prints the peak heap used.
 *
 * <p>Arguments: the attachment size in MB, {@code streamed} (delivery as it is) or
 * {@code in-memory} (the message, its Email and the JSON all held in the heap, as before streaming),
 * and optionally {@code text}: the message is then one plain-text body of that size instead.
 */
public final class LargeMailDelivery {

    private LargeMailDelivery() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = Integer.parseInt(args[0]);
        boolean streamed = args.length < 2 || args[1].equals("streamed");
        boolean text = args.length > 2 && args[2].equals("text");
        Path directory = Files.createTempDirectory("large-mail-");
        Path message = directory.resolve("message.eml");
        if (text) {
            writeTextMessage(message, megabytes * 1024L * 1024L);
        } else {
            writeMessage(message, megabytes * 1024L * 1024L);
        }
        int bodyChars = -1;
        AtomicLong received = new AtomicLong();
        HttpServer creatio = discardingCreatio(received);
        try {
            String endpoint = "http://127.0.0.1:" + creatio.getAddress().getPort()
                    + "/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail";
            SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(
                    UUID.randomUUID(), "127.0.0.1", 143, "jane@example.com", "secret", endpoint, List.of()),
                    SynchronizationCredentials.class);
            CreatioClient client = new CreatioClient(CreatioJson.mapper(),
                    CreatioProperties.of(Map.of("connect-timeout", "10s", "request-timeout", "60s")),
                    new CallbackAllowList(List.of("127.0.0.1")), new SimpleMeterRegistry());
            EmailConverter converter = new EmailConverter();

            long baseline = resetPeaks();
            if (streamed) {
                try (ConvertedEmail email = converter.convert(message, Instant.now(), Long.MAX_VALUE)) {
                    bodyChars = email.email().Body().length();
                    client.deliver(mailbox, email.email(), email.attachments(), directory);
                }
            } else {
                client.deliver(mailbox, List.of(converter.convert(Files.readAllBytes(message), Instant.now())));
            }
            long peak = peakHeap();
            System.out.printf("message-bytes=%d posted-bytes=%d body-chars=%d baseline-heap=%d peak-heap=%d "
                    + "peak-growth=%d%n", Files.size(message), received.get(), bodyChars, baseline, peak,
                    peak - baseline);
        } finally {
            creatio.stop(0);
            Files.delete(message);
            Files.delete(directory);
        }
    }

    /** A message with a short text and one attachment of pseudo-random bytes, written as it is generated. */
    static void writeMessage(Path file, long attachmentBytes) throws IOException {
        Random random = new Random(42);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Large\r\n"
                    + "Message-ID: <large@example.com>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                    + "--b\r\nContent-Type: text/plain\r\n\r\nThe file is attached.\r\n--b\r\n"
                    + "Content-Type: application/octet-stream\r\n"
                    + "Content-Disposition: attachment; filename=\"large.bin\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] line = new byte[57];
            for (long written = 0; written < attachmentBytes; written += line.length) {
                int length = (int) Math.min(line.length, attachmentBytes - written);
                random.nextBytes(line);
                out.write(Base64.getEncoder().encode(Arrays.copyOf(line, length)));
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("--b--\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A message whose only part is a plain text of {@code textBytes}, lines of 76 ASCII characters. */
    static void writeTextMessage(Path file, long textBytes) throws IOException {
        byte[] line = ("The quick brown fox jumps over the lazy dog, again and again, for a long while."
                .substring(0, 76) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Long text\r\n"
                    + "Message-ID: <long-text@example.com>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (long written = 0; written < textBytes; written += line.length) {
                out.write(line);
            }
        }
    }

    private static HttpServer discardingCreatio(AtomicLong received) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                received.addAndGet(body.transferTo(OutputStream.nullOutputStream()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return server;
    }

    /** Collects garbage, then starts the heap pools' peaks afresh; returns the heap used now. */
    private static long resetPeaks() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : heapPools()) {
            pool.resetPeakUsage();
            used += pool.getUsage().getUsed();
        }
        return used;
    }

    /** The sum of the heap pools' peaks: an upper bound of the heap used at any one time. */
    private static long peakHeap() {
        return heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
    }
}
