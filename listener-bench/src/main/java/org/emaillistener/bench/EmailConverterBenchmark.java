package org.emaillistener.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.StreamedAttachment;
import org.emaillistener.secondary.mime.ConvertedEmail;
import org.emaillistener.secondary.mime.EmailConverter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * MIME → Creatio {@code Email} JSON on one thread, as delivery does it: the message from a spool
 * file, parsed part by part ({@link EmailConverter#convert(Path, Instant, long)}), the Email written
 * as JSON with each attachment Base64-encoded from its stream; and the in-memory path
 * ({@link EmailConverter#convert(byte[], Instant)}) for comparison. MB/s = ops/s × message size.
 *
 * <pre>java -cp "listener-bench/target/classes:$(cat listener-bench/target/bench-classpath.txt)" org.openjdk.jmh.Main EmailConverterBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmailConverterBenchmark {

    private static final JsonMapper JSON = CreatioJson.mapper();

    /** 20 KB: text and HTML; 1 MB: the same with a PDF attachment. */
    @Param({ "20KB", "1MB" })
    public String size;

    private final EmailConverter converter = new EmailConverter();
    private byte[] message;
    private Path spooled;

    static int bytesOf(String size) {
        return BenchMessages.message(0, "u0", size.equals("1MB") ? 1024 * 1024 : 20 * 1024).length;
    }

    @Setup
    public void setUp() throws IOException {
        message = BenchMessages.message(0, "u0", size.equals("1MB") ? 1024 * 1024 : 20 * 1024);
        spooled = Files.createTempFile("bench-message-", ".eml");
        Files.write(spooled, message);
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(spooled);
    }

    @Benchmark
    public long spooled() throws IOException {
        CountingStream out = new CountingStream();
        try (ConvertedEmail converted = converter.convert(spooled, Instant.EPOCH, Long.MAX_VALUE)) {
            try (JsonGenerator generator = JSON.createGenerator(out)) {
                generator.writeStartObject();
                generator.writePOJOProperty("Email", converted.email());
                generator.writeName("Attachments");
                generator.writeStartArray();
                for (StreamedAttachment attachment : converted.attachments()) {
                    try (InputStream content = attachment.content().open()) {
                        generator.writeBinary(content, -1);
                    }
                }
                generator.writeEndArray();
                generator.writeEndObject();
            }
        }
        return out.count;
    }

    @Benchmark
    public int inMemory() {
        Email email = converter.convert(message, Instant.EPOCH);
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
