package org.emaillistener.secondary.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap one delivery of a 50 MB attachment needs, measured in a JVM of its own whose heap is
 * capped below the attachment's size: the delivery succeeds only if nothing holds the message, its
 * Base64 text or the JSON whole.
 */
class LargeMailHeapTest {

    private static final Logger log = LoggerFactory.getLogger(LargeMailHeapTest.class);
    private static final int ATTACHMENT_MB = 50;
    private static final Pattern PEAK_GROWTH = Pattern.compile("peak-growth=(\\d+)");

    @Test
    void deliversA50MbAttachmentWithAHeapSmallerThanTheAttachment() throws Exception {
        String output = runDelivery("-Xmx32m");

        Matcher growth = PEAK_GROWTH.matcher(output);
        assertThat(growth.find()).as(output).isTrue();
        long peakGrowth = Long.parseLong(growth.group(1));
        log.info("Delivering a {} MB attachment with -Xmx32m: peak heap growth {} MB ({})", ATTACHMENT_MB,
                peakGrowth / (1024 * 1024), output.strip());
        assertThat(peakGrowth).isLessThan(ATTACHMENT_MB * 1024L * 1024L);
    }

    @Test
    void deliversA100MbTextBodyWithA64MbHeapAsAnAttachedText() throws Exception {
        String output = runDelivery("-Xmx64m", "100", "streamed", "text");

        Matcher posted = Pattern.compile("posted-bytes=(\\d+)").matcher(output);
        Matcher body = Pattern.compile("body-chars=(\\d+)").matcher(output);
        assertThat(posted.find() && body.find()).as(output).isTrue();
        log.info("Delivering a 100 MB text body with -Xmx64m: {}", output.strip());
        // The text went out Base64-encoded as a file; the body only says where it is.
        assertThat(Long.parseLong(posted.group(1))).isGreaterThan(100L * 1024 * 1024 * 4 / 3);
        assertThat(Integer.parseInt(body.group(1))).isLessThan(200);
    }

    private static String runDelivery(String heap) throws IOException, InterruptedException {
        return runDelivery(heap, String.valueOf(ATTACHMENT_MB), "streamed");
    }

    private static String runDelivery(String heap, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                "-cp", System.getProperty("java.class.path"), LargeMailDelivery.class.getName()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return List.of(text.split("\\R")).stream().filter(line -> line.startsWith("message-bytes=")).findFirst()
                .orElse(text);
    }
}
