package org.emaillistener.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.secondary.mime.ConvertedEmail;
import org.emaillistener.secondary.mime.EmailConverter;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import tools.jackson.databind.json.JsonMapper;

/**
 * MIME → Creatio {@code Email} JSON on one thread, as delivery does it: the message from a spool
 * file ({@link EmailConverter#convert(Path, Instant, long)}: the 20 KB message read at once, the
 * 1 MB one parsed part by part from the file), the
 * {@code ProcessFullEmail} body written by {@link CreatioClient#writeFullEmailDelivery} with each
 * attachment read from the message as it is written; and the in-memory path
 * ({@link EmailConverter#convert(byte[], Instant)}) for comparison. The {@code messageMB} line of
 * each benchmark is its throughput in MB/s (10^6 bytes) of message data.
 *
 * <pre>java -cp "listener-bench/target/classes:$(cat listener-bench/target/bench-classpath.txt)" org.openjdk.jmh.Main EmailConverterBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmailConverterBenchmark {

    private static final JsonMapper JSON = CreatioJson.mapper();
    private static final SynchronizationCredentials MAILBOX = new SynchronizationCredentials(UUID.randomUUID(),
            "jane", "secret", false, null, "jane@example.com", UUID.fromString("844f0837-eaa0-4f40-b965-71f5db9eae6e"),
            "127.0.0.1", 143, false, 0, false, null,
            "http://127.0.0.1/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", "Supervisor", "Default",
            "UTC", "{UserRequested:false,HasError:false}", List.of(), null, 0, true, true, null);

    /** 20 KB: text and HTML; 1 MB: the same with a PDF attachment. */
    @Param({ "20KB", "1MB" })
    public String size;

    private final EmailConverter converter = new EmailConverter();
    private CreatioClient creatio;
    private byte[] message;
    private Path spooled;

    /** Message data converted, reported by JMH per second: MB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {

        public double messageMB;
    }

    static int bytesOf(String size) {
        return BenchMessages.message(0, "u0", size.equals("1MB") ? 1024 * 1024 : 20 * 1024).length;
    }

    @Setup
    public void setUp() throws IOException {
        message = BenchMessages.message(0, "u0", size.equals("1MB") ? 1024 * 1024 : 20 * 1024);
        spooled = Files.createTempFile("bench-message-", ".eml");
        Files.write(spooled, message);
        creatio = new CreatioClient(JSON, CreatioProperties.of(Map.of("connect-timeout", "10s", "request-timeout", "60s")), new CallbackAllowList(List.of("127.0.0.1")),
                new SimpleMeterRegistry());
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(spooled);
    }

    @Benchmark
    public long spooled(Throughput throughput) throws IOException {
        CountingStream out = new CountingStream();
        try (ConvertedEmail converted = converter.convert(spooled, Instant.EPOCH, Long.MAX_VALUE)) {
            creatio.writeFullEmailDelivery(out, MAILBOX, converted.email(), converted.attachments());
        }
        throughput.messageMB += message.length / 1e6;
        return out.count;
    }

    @Benchmark
    public int inMemory(Throughput throughput) {
        Email email = converter.convert(message, Instant.EPOCH);
        throughput.messageMB += message.length / 1e6;
        return JSON.writeValueAsBytes(email).length;
    }

    /** Counts what the JSON would be, without keeping it. */
    private static final class CountingStream extends OutputStream {

        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
