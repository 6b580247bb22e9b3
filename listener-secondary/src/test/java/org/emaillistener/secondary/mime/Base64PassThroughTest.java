package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.FullEmailDelivery;
import org.emaillistener.common.creatio.StreamedAttachment;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.json.JsonMapper;

/**
 * A part sent in clean base64 reaches Creatio as its own text without line breaks, and the result is
 * the same JSON, byte for byte, as decoding it with jakarta.mail and encoding it again (the in-memory
 * conversion still does that); base64 that is not clean is decoded as before.
 */
class Base64PassThroughTest {

    private static final Instant RECEIVED_AT = Instant.parse("2024-02-03T04:05:06Z");
    private static final JsonMapper JSON = CreatioJson.mapper();
    private static final SynchronizationCredentials MAILBOX = new SynchronizationCredentials(
            UUID.fromString("11111111-2222-3333-4444-555555555555"), "jane", "secret", false, null,
            "jane@example.com", UUID.fromString("844f0837-eaa0-4f40-b965-71f5db9eae6e"), "127.0.0.1", 143, false, 0,
            false, null, "http://127.0.0.1/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", "Supervisor",
            "Default", "UTC", "{UserRequested:false,HasError:false}", List.of(), null, 0, true, true, null);

    private static final byte[] DATA = data(4000);
    private static final String CRLF_LINES = Base64.getMimeEncoder().encodeToString(DATA);
    private static final String LF_LINES = CRLF_LINES.replace("\r\n", "\n");
    private static final String ONE_LINE = Base64.getEncoder().encodeToString(DATA);

    @TempDir
    Path directory;

    private final EmailConverter converter = new EmailConverter();
    private final CreatioClient creatio = new CreatioClient(JSON, CreatioProperties.of(Map.of("connect-timeout", "10s", "request-timeout", "60s")),
            new CallbackAllowList(List.of("127.0.0.1")), new SimpleMeterRegistry());

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("lines of 76 with CRLF", attachment("base64", CRLF_LINES), true),
                Arguments.of("lines with bare LF", attachment("base64", LF_LINES), true),
                Arguments.of("one line", attachment("base64", ONE_LINE), true),
                Arguments.of("no padding needed", attachment("base64", Base64.getMimeEncoder().encodeToString(
                        data(3000))), true),
                Arguments.of("one padding character", attachment("base64", "QUI="), true),
                Arguments.of("upper-case encoding name", attachment("BASE64", CRLF_LINES), true),
                Arguments.of("empty", attachment("base64", ""), true),
                Arguments.of("trailing garbage", attachment("base64", CRLF_LINES + "\r\n-- \r\nsent from my phone"),
                        false),
                Arguments.of("text after the padding", attachment("base64", "QUI=\r\nQUJD"), false),
                Arguments.of("padding in the middle", attachment("base64", "QQ==QkM="), false),
                Arguments.of("non-canonical padding", attachment("base64", "QUJ="), false),
                Arguments.of("non-canonical double padding", attachment("base64", "QR=="), false),
                Arguments.of("too much padding", attachment("base64", "Q==="), false),
                Arguments.of("truncated", attachment("base64", ONE_LINE.substring(0, ONE_LINE.length() - 3)), false),
                Arguments.of("spaces at line ends", attachment("base64", CRLF_LINES.replace("\r\n", " \r\n")),
                        false),
                Arguments.of("indented lines", attachment("base64", CRLF_LINES.replace("\r\n", "\r\n\t")), false),
                Arguments.of("stray character", attachment("base64", "QU*JD"), false),
                Arguments.of("url-safe alphabet", attachment("base64", "-_-_"), false),
                Arguments.of("inline image in nested multiparts", nested(), true),
                Arguments.of("message/rfc822 part declared base64", encodedMessage(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void streamedJsonIsTheJsonOfDecodingAndEncodingAgain(String name, String message, boolean copied)
            throws IOException {
        byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
        Path spooled = directory.resolve("message.eml");
        Files.write(spooled, raw);

        byte[] decodedAndEncoded = JSON.writeValueAsBytes(new FullEmailDelivery(
                List.of(converter.convert(raw, RECEIVED_AT)), FullEmailDelivery.SubscriptionInfo.of(MAILBOX, 0)));
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        try (ConvertedEmail email = converter.convert(spooled, RECEIVED_AT, Long.MAX_VALUE)) {
            creatio.writeFullEmailDelivery(streamed, MAILBOX, email.email(), email.attachments());
            assertThat(email.attachments()).isNotEmpty();
            for (StreamedAttachment attachment : email.attachments()) {
                try (InputStream base64 = attachment.content().openBase64()) {
                    assertThat(base64 != null).as("copied as base64").isEqualTo(copied);
                }
            }
        }

        assertThat(streamed.toString(StandardCharsets.UTF_8))
                .isEqualTo(new String(decodedAndEncoded, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void attachmentsCarryWhatJakartaMailDecodes(String name, String message, boolean copied) throws Exception {
        byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
        Path spooled = directory.resolve("message.eml");
        Files.write(spooled, raw);
        List<byte[]> expected = decodedFiles(new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw)));

        try (ConvertedEmail email = converter.convert(spooled, RECEIVED_AT, Long.MAX_VALUE)) {
            List<StreamedAttachment> attachments = email.attachments();
            assertThat(attachments).hasSameSizeAs(expected);
            for (int i = 0; i < attachments.size(); i++) {
                try (InputStream base64 = attachments.get(i).content().openBase64()) {
                    if (base64 != null) {
                        assertThat(Base64.getDecoder().decode(base64.readAllBytes())).isEqualTo(expected.get(i));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("textBodies")
    void textBodyIsWhatJakartaMailDecodes(String encoding, String body) throws Exception {
        byte[] raw = ("From: a@example.com\r\nMessage-ID: <t@example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: " + encoding + "\r\n\r\n"
                + body).getBytes(StandardCharsets.ISO_8859_1);
        Path spooled = directory.resolve("message.eml");
        Files.write(spooled, raw);
        byte[] expected;
        try (InputStream in = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw))
                .getInputStream()) {
            expected = in.readAllBytes();
        }

        try (ConvertedEmail email = converter.convert(spooled, RECEIVED_AT, Long.MAX_VALUE)) {
            assertThat(email.email().Body()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        }
    }

    static Stream<Arguments> textBodies() {
        return Stream.of(
                Arguments.of("quoted-printable", "=C3=BCber soft=\r\n break, =\nbare LF, trailing   \r\nend=\r\n"),
                Arguments.of("quoted-printable", "not hex =ZZ, lower =c3=bc, lone = sign, at the end ="),
                Arguments.of("Quoted-Printable", "tab\t\r\n=20\r\n"),
                Arguments.of("base64", Base64.getMimeEncoder().encodeToString("Grüße\r\n".repeat(40)
                        .getBytes(StandardCharsets.UTF_8))),
                Arguments.of("8bit", "Gr\u00c3\u00bc\u00c3\u009fe\r\n"),
                Arguments.of("x-uuencode", "begin 644 a.txt\r\n#86)C\r\n`\r\nend\r\n"));
    }

    static Stream<Arguments> measured() {
        return Stream.of(Arguments.of("QUJD", 3), Arguments.of("QUI=", 2), Arguments.of("QQ==", 1),
                Arguments.of("", 0), Arguments.of("QUJD\r\nQUJD\r\n", 6), Arguments.of("QUJD\nQUI=\n", 5),
                Arguments.of("QUJ=", -1), Arguments.of("QR==", -1), Arguments.of("QUJDQ", -1),
                Arguments.of("QU JD", -1), Arguments.of("QQ==QQ==", -1), Arguments.of("Q===", -1),
                Arguments.of("QUJD=", -1), Arguments.of("QUJD\r\n.", -1));
    }

    @ParameterizedTest
    @MethodSource("measured")
    void cleanBase64IsMeasuredWithoutDecoding(String text, int size) throws IOException {
        assertThat(CleanBase64.decodedSize(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(size);
    }

    @Test
    void paddingThatOpensABlockIsCheckedAgainstTheCharacterBeforeIt() throws IOException {
        // The measuring reads 64 KB at a time; here the padding is the first byte of the second block.
        String canonical = "A".repeat(65_534) + "\r\n==";
        String nonCanonical = "A".repeat(65_533) + "B\r\n==";
        assertThat(CleanBase64.decodedSize(new ByteArrayInputStream(canonical.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(Base64.getMimeDecoder().decode(canonical).length);
        assertThat(CleanBase64.decodedSize(new ByteArrayInputStream(
                nonCanonical.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(-1);
    }

    /** The decoded content of every part that is not text, as jakarta.mail reads it, in order. */
    private static List<byte[]> decodedFiles(Part part) throws Exception {
        List<byte[]> files = new ArrayList<>();
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                files.addAll(decodedFiles(multipart.getBodyPart(i)));
            }
        } else if (!part.isMimeType("text/*")) {
            try (InputStream in = part.getInputStream()) {
                files.add(in.readAllBytes());
            } catch (IOException undecodable) {
                files.add(null);
            }
        }
        return files;
    }

    private static String attachment(String encoding, String body) {
        return """
                From: Alice <alice@example.com>\r
                To: bob@example.com\r
                Subject: Report\r
                Message-ID: <1@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b1"\r
                \r
                --b1\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                See the file.\r
                --b1\r
                Content-Type: application/octet-stream; name="report.bin"\r
                Content-Disposition: attachment; filename="report.bin"\r
                Content-Transfer-Encoding: %s\r
                \r
                %s\r
                --b1--\r
                """.formatted(encoding, body);
    }

    private static String nested() {
        return """
                From: Alice <alice@example.com>\r
                To: bob@example.com\r
                Subject: Nested\r
                Message-ID: <2@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="outer"\r
                \r
                --outer\r
                Content-Type: multipart/related; boundary="related"\r
                \r
                --related\r
                Content-Type: multipart/alternative; boundary="alt"\r
                \r
                --alt\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                Hello =C3=BCber=\r
                 soft break  \r
                --alt\r
                Content-Type: text/html; charset=utf-8\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                --alt--\r
                --related\r
                Content-Type: image/png\r
                Content-ID: <logo@example.com>\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                --related--\r
                --outer\r
                Content-Type: multipart/mixed; boundary="inner"\r
                \r
                --inner\r
                Content-Type: application/pdf; name="quote.pdf"\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                --inner--\r
                --outer--\r
                """.formatted(
                Base64.getMimeEncoder().encodeToString(
                        "<p>Hello <img src=\"cid:logo@example.com\"></p>".getBytes(StandardCharsets.UTF_8)),
                Base64.getMimeEncoder().encodeToString(data(500)), LF_LINES);
    }

    private static String encodedMessage() {
        String inner = "From: x@example.com\r\nSubject: Inner\r\n\r\nInner body\r\n";
        return """
                From: Alice <alice@example.com>\r
                To: bob@example.com\r
                Subject: Forward\r
                Message-ID: <3@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b1"\r
                \r
                --b1\r
                Content-Type: text/plain\r
                \r
                Forwarded.\r
                --b1\r
                Content-Type: message/rfc822\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                --b1--\r
                """.formatted(Base64.getMimeEncoder().encodeToString(inner.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] data(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31 + i / 7);
        }
        return data;
    }
}
