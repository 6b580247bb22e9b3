package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.FullEmailDelivery;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import tools.jackson.databind.json.JsonMapper;

/**
 * Delivery's conversion, with multiparts split by {@link PartBoundaries}, quoted-printable decoded by
 * {@link QuotedPrintable} and clean base64 copied, writes the same {@code ProcessFullEmail} JSON, byte
 * for byte, as the conversion by jakarta.mail and Angus alone with every attachment decoded and
 * encoded again. The corpus: the shapes of the hostile-mail and conversion tests, and variations of
 * them with other line ends, padded and missing boundaries, preambles, epilogues and broken
 * quoted-printable.
 */
class BulkReadingEqualityTest {

    private static final Instant RECEIVED_AT = Instant.parse("2024-02-03T04:05:06Z");
    private static final JsonMapper JSON = CreatioJson.mapper();
    private static final SynchronizationCredentials MAILBOX = new SynchronizationCredentials(
            UUID.fromString("11111111-2222-3333-4444-555555555555"), "jane", "secret", false, null,
            "jane@example.com", UUID.fromString("844f0837-eaa0-4f40-b965-71f5db9eae6e"), "127.0.0.1", 143, false, 0,
            false, null, "http://127.0.0.1/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", "Supervisor",
            "Default", "UTC", "{UserRequested:false,HasError:false}", List.of(), null, 0, true, true, null);

    @TempDir
    Path directory;

    private final EmailConverter reference = new EmailConverter(false, 0);
    private final CreatioClient creatio = new CreatioClient(JSON, CreatioProperties.of(Map.of("connect-timeout", "10s", "request-timeout", "60s")),
            new CallbackAllowList(List.of("127.0.0.1")), new SimpleMeterRegistry());

    static Stream<Arguments> corpus() {
        List<Arguments> corpus = new ArrayList<>();
        List<Arguments> shapes = shapes();
        corpus.addAll(shapes);
        for (Arguments shape : shapes) {
            String name = (String) shape.get()[0];
            String message = (String) shape.get()[1];
            variations().forEach((variation, change) -> corpus.add(Arguments.of(name + ", " + variation,
                    change.apply(message))));
        }
        return corpus.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void bulkReadingWritesTheJsonOfJakartaMailAlone(String name, String message) throws IOException {
        assertSameJson(new EmailConverter(), message);
    }

    /** The same again with every message parsed part by part from its file, as large mail is. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void bulkReadingFromTheFileWritesTheJsonOfJakartaMailAlone(String name, String message) throws IOException {
        assertSameJson(new EmailConverter(true, 0), message);
    }

    private void assertSameJson(EmailConverter bulk, String message) throws IOException {
        byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
        Path spooled = directory.resolve("message.eml");
        Files.write(spooled, raw);

        byte[] expected = JSON.writeValueAsBytes(new FullEmailDelivery(
                List.of(reference.convert(raw, RECEIVED_AT)), FullEmailDelivery.SubscriptionInfo.of(MAILBOX, 0)));
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        try (ConvertedEmail email = bulk.convert(spooled, RECEIVED_AT, Long.MAX_VALUE)) {
            creatio.writeFullEmailDelivery(streamed, MAILBOX, email.email(), email.attachments());
        }

        assertThat(streamed.toString(StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }

    private static java.util.Map<String, UnaryOperator<String>> variations() {
        java.util.Map<String, UnaryOperator<String>> variations = new java.util.LinkedHashMap<>();
        variations.put("bare LF", message -> message.replace("\r\n", "\n"));
        variations.put("bare CR", message -> message.replace("\r\n", "\r"));
        variations.put("CR CR LF", message -> message.replace("\r\n", "\r\r\n"));
        variations.put("padded boundaries", message -> message.replaceAll("(?m)^(--[^\\r\\n]+)\\r$", "$1 \t \r"));
        variations.put("no closing boundaries", message -> message.replaceAll("(?m)^(--[^\\r\\n]+)--\\r$", "\r"));
        variations.put("preamble and epilogue", message -> message.replaceFirst("\r\n\r\n--",
                "\r\n\r\nThis is a multi-part message in MIME format.\r\n-------\r\n\r\n--")
                + "epilogue --b-- \r\n--outer--\r\n");
        variations.put("boundary without line end before it", message -> message.replace("\r\n--", "--"));
        variations.put("cut short", message -> message.substring(0, message.length() * 2 / 3));
        variations.put("quoted-printable oddities", message -> message.replace("=C3=BC", "=c3=bc =ZZ = =\r\n"));
        return variations;
    }

    private static List<Arguments> shapes() {
        Random random = new Random(11);
        byte[] pdf = new byte[200_000];
        random.nextBytes(pdf);
        String qpText = IntStream.range(0, 300).mapToObj(i -> "line " + i + " of the quote =C3=BC  ")
                .collect(Collectors.joining("=\r\n", "", "\r\n"));
        List<Arguments> shapes = new ArrayList<>();
        shapes.add(Arguments.of("business mail", """
                From: Jane <jane@example.org>\r
                To: bob@example.com\r
                Subject: Quote =?UTF-8?Q?=C3=BCber?=\r
                Date: Mon, 2 Jun 2025 10:15:00 +0200\r
                Message-ID: <q@example.org>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="outer"\r
                \r
                --outer\r
                Content-Type: multipart/alternative; boundary=alt\r
                \r
                --alt\r
                Content-Type: text/plain; charset=UTF-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                %s--alt\r
                Content-Type: text/html; charset=UTF-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                <p>%s</p>\r
                --alt--\r
                --outer\r
                Content-Type: application/pdf; name="quote.pdf"\r
                Content-Disposition: attachment; filename="quote.pdf"\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                --outer--\r
                """.formatted(qpText, qpText, Base64.getMimeEncoder().encodeToString(pdf))));
        shapes.add(Arguments.of("boundaries that are prefixes of each other", """
                From: a@example.com\r
                Message-ID: <p@example.com>\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: multipart/alternative; boundary="bb"\r
                \r
                --bb\r
                Content-Type: text/plain\r
                \r
                inner text --b not a boundary\r
                --bbb is not one either\r
                --bb\r
                Content-Type: text/html\r
                \r
                <b>inner</b>\r
                --bb--\r
                --b\r
                Content-Type: text/plain\r
                Content-Disposition: attachment; filename=notes.txt\r
                \r
                notes\r
                --b--\r
                """));
        shapes.add(Arguments.of("broken boundary (hostile)", """
                To: jane@example.com\r
                Subject: broken boundary\r
                Content-Type: multipart/mixed; boundary="declared"\r
                \r
                --other\r
                Content-Type: text/plain\r
                \r
                text behind a boundary that was never declared\r
                --other\r
                """));
        shapes.add(Arguments.of("boundary parameter missing", """
                From: a@example.com\r
                Content-Type: multipart/mixed\r
                \r
                preamble\r
                --guessed\r
                Content-Type: text/plain\r
                \r
                found by its look\r
                --guessed--\r
                """));
        shapes.add(Arguments.of("unquoted boundary with an equals sign", """
                From: a@example.com\r
                Content-Type: multipart/mixed; boundary=----=_Part_0_1\r
                \r
                ------=_Part_0_1\r
                Content-Type: text/plain; charset=iso-8859-1\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                caf=E9 =\r
                au lait\r
                ------=_Part_0_1--\r
                """));
        shapes.add(Arguments.of("traversal (hostile)", """
                To: jane@example.com\r
                Subject: traversal\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                see file\r
                --b\r
                Content-Type: application/octet-stream\r
                Content-Disposition: attachment; filename="../../../etc/passwd"\r
                \r
                root:x:0:0\r
                --b--\r
                """));
        StringBuilder nested = new StringBuilder("To: jane@example.com\r\nSubject: deep\r\n");
        for (int level = 0; level < 100; level++) {
            nested.append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\r\n\r\n--b")
                    .append(level).append("\r\n");
        }
        nested.append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (int level = 99; level >= 0; level--) {
            nested.append("--b").append(level).append("--\r\n");
        }
        shapes.add(Arguments.of("100 nested multiparts (hostile)", nested.toString()));
        shapes.add(Arguments.of("empty parts and an attached message", """
                From: a@example.com\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                \r
                --b\r
                --b\r
                Content-Type: message/rfc822\r
                \r
                Subject: inner\r
                Content-Type: multipart/alternative; boundary="i"\r
                \r
                --i\r
                Content-Type: text/plain\r
                \r
                inner text\r
                --i--\r
                --b\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                end =C3=BC  \r
                --b--\r
                """));
        shapes.add(Arguments.of("plain quoted-printable message", """
                From: a@example.com\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                %s""".formatted(qpText)));
        return shapes;
    }
}
