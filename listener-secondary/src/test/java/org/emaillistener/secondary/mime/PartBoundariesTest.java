package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.SharedInputStream;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;

/**
 * {@link PartBoundaries} splits a multipart into exactly the parts jakarta.mail's own parsing gives:
 * the same count, headers and raw content of each part, the same completeness, and a failure where
 * jakarta.mail fails. The multiparts are generated from the pieces that make boundaries hard to find.
 */
class PartBoundariesTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    /** Boundary lookalikes, line ends of every kind, padding and header lines. */
    private static final String[] PIECES = { "--b", "--b", "--b", "--bb", "--b--", "--bb--", "-", "--", "\r\n",
            "\r\n", "\n", "\n", "\r", "\r\r\n", " ", "\t", "x", "b", "H: v\r\n", "H: v\n", "\r\n\r\n", "\n\n",
            "text ", "=", "\u00e9" };

    @TempDir
    Path directory;

    static Stream<String> generated() {
        Random random = new Random(8);
        return IntStream.range(0, 4000).mapToObj(i -> {
            StringBuilder body = new StringBuilder(random.nextBoolean() ? "--b\r\n" : "");
            for (int n = random.nextInt(40); n > 0; n--) {
                body.append(PIECES[random.nextInt(PIECES.length)]);
            }
            return body.toString();
        });
    }

    @ParameterizedTest
    @MethodSource("generated")
    void generatedMultipartHasTheSameParts(String body) throws Exception {
        for (String boundary : List.of("b", "bb", "\"b\"")) {
            byte[] message = ("Content-Type: multipart/mixed; boundary=" + boundary + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1);
            assertSameParts(new SharedByteArrayInputStream(message));
        }
    }

    @Test
    void mostGeneratedMultipartsAreSplitInBulk() throws IOException {
        long inBulk = generated().filter(body -> {
            try {
                return PartBoundaries.find(new SharedByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)),
                        "b") != null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).count();
        // The others have no start boundary, or a closing one first: jakarta.mail throws for those.
        assertThat(inBulk).isGreaterThan(1600);
    }

    @Test
    void partsLargerThanABlockHaveTheSameBounds() throws Exception {
        Random random = new Random(9);
        for (int round = 0; round < 30; round++) {
            StringBuilder body = new StringBuilder("preamble\r\n");
            for (int part = random.nextInt(5); part >= 0; part--) {
                body.append(random.nextBoolean() ? "--b\r\n" : "--b  \n").append("H: v\r\n\r\n");
                for (int n = random.nextInt(3000); n > 0; n--) {
                    body.append(PIECES[random.nextInt(PIECES.length)]).append("filler line of text ".repeat(4));
                }
                body.append(random.nextBoolean() ? "\r\n" : "\n");
            }
            if (random.nextBoolean()) {
                body.append("--b--\r\nepilogue");
            }
            Path file = directory.resolve("multipart-" + round + ".eml");
            Files.write(file, ("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            // A small buffer of the file's own makes the stream's reads and the block's refills meet anywhere.
            try (SharedFileInputStream in = new SharedFileInputStream(file.toFile(), 1000 + random.nextInt(5000))) {
                assertSameParts(in);
            }
        }
    }

    @Test
    void nestedMultipartsHaveTheSameParts() throws Exception {
        StringBuilder message = new StringBuilder();
        for (int level = 0; level < 30; level++) {
            message.append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\r\n\r\n--b")
                    .append(level).append("\r\n");
        }
        message.append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (int level = 29; level >= 0; level--) {
            message.append("--b").append(level).append("--\r\n");
        }
        MimeMessage bulk = new MimeMessage(SESSION, new SharedByteArrayInputStream(
                message.toString().getBytes(StandardCharsets.US_ASCII)));
        MimeMessage jakarta = new MimeMessage(SESSION, new SharedByteArrayInputStream(
                message.toString().getBytes(StandardCharsets.US_ASCII)));
        jakarta.mail.internet.MimePart bulkPart = bulk;
        jakarta.mail.internet.MimePart jakartaPart = jakarta;
        for (int level = 0; level < 30; level++) {
            List<Part> expected = parts(jakartaPart, false);
            assertThat(parts(bulkPart, true)).isEqualTo(expected);
            bulkPart = (jakarta.mail.internet.MimePart) new SpooledParts.Multipart(new MimePartDataSource(bulkPart),
                    true).getBodyPart(0);
            jakartaPart = (jakarta.mail.internet.MimePart) new SpooledParts.Multipart(
                    new MimePartDataSource(jakartaPart), false).getBodyPart(0);
        }
    }

    private void assertSameParts(InputStream message) throws Exception {
        MimeMessage parsed = new MimeMessage(SESSION, message);
        assertThat(parts(parsed, true)).isEqualTo(parts(parsed, false));
    }

    /** One part as jakarta.mail sees it, or the failure to read any. */
    private record Part(String headers, String content, boolean complete) {
    }

    private static List<Part> parts(jakarta.mail.internet.MimePart part, boolean bulk) throws IOException {
        try {
            SpooledParts.Multipart multipart = new SpooledParts.Multipart(new MimePartDataSource(part), bulk);
            List<Part> parts = new ArrayList<>();
            for (int i = 0; i < multipart.getCount(); i++) {
                MimeBodyPart child = (MimeBodyPart) multipart.getBodyPart(i);
                try (InputStream raw = child.getRawInputStream()) {
                    parts.add(new Part(String.join("|", Collections.list(child.getAllHeaderLines())),
                            new String(raw.readAllBytes(), StandardCharsets.ISO_8859_1), multipart.isComplete()));
                }
                assertThat(child.getRawInputStream()).isInstanceOf(SharedInputStream.class);
            }
            parts.add(new Part("complete", "", multipart.isComplete()));
            return parts;
        } catch (MessagingException e) {
            return List.of(new Part("failed", e.getMessage(), false));
        }
    }
}
