package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.StreamedAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentLimitTest {

    private static final Instant RECEIVED_AT = Instant.parse("2024-02-03T04:05:06Z");

    private final EmailConverter converter = new EmailConverter();

    @TempDir
    Path directory;

    @Test
    void leavesAttachmentsOverTheLimitOutAndNamesThemInTheOmittedHeader() throws IOException {
        Path message = write(withFiles(file("small.txt", 100), file("report.pdf", 5000), file("note.txt", 200)));

        try (ConvertedEmail converted = converter.convert(message, RECEIVED_AT, 1000)) {
            assertThat(converted.attachments()).extracting(StreamedAttachment::Name)
                    .containsExactly("small.txt", "note.txt");
            assertThat(converted.email().Headers()).contains("X-EmailListener-Omitted=report.pdf (5000 bytes)");
            assertThat(converted.email().Body()).isEqualTo("See the files.");
            assertThat(converted.email().Subject()).isEqualTo("Files");
        }
    }

    @Test
    void deliversEveryAttachmentWithinTheLimitWithoutAnOmittedHeader() throws IOException {
        Path message = write(withFiles(file("small.txt", 100), file("report.pdf", 5000)));

        try (ConvertedEmail converted = converter.convert(message, RECEIVED_AT, 5100)) {
            assertThat(converted.attachments()).hasSize(2);
            assertThat(converted.email().Headers()).noneMatch(header -> header.startsWith("X-EmailListener-Omitted"));
        }
    }

    @Test
    void aMessageReadFromAFileGivesTheSameEmailAsItsBytes() throws IOException {
        byte[] raw = withFiles(file("small.txt", 100), file("report.pdf", 5000)).getBytes(StandardCharsets.US_ASCII);
        Email fromBytes = converter.convert(raw, RECEIVED_AT);

        try (ConvertedEmail fromFile = converter.convert(write(new String(raw, StandardCharsets.US_ASCII)),
                RECEIVED_AT, Long.MAX_VALUE)) {
            assertThat(fromFile.email()).usingRecursiveComparison().ignoringFields("Attachments").isEqualTo(fromBytes);
            assertThat(fromFile.attachments()).hasSameSizeAs(fromBytes.Attachments());
            for (int i = 0; i < fromFile.attachments().size(); i++) {
                try (InputStream content = fromFile.attachments().get(i).content().open()) {
                    assertThat(Base64.getEncoder().encodeToString(content.readAllBytes()))
                            .isEqualTo(fromBytes.Attachments().get(i).Base64Data());
                }
            }
        }
    }

    @Test
    void aMessageWithoutMessageIdGetsTheSameSyntheticIdFromAFileAsFromItsBytes() throws IOException {
        String raw = withFiles(file("small.txt", 10)).replace("Message-ID: <files@example.com>\r\n", "");

        try (ConvertedEmail fromFile = converter.convert(write(raw), RECEIVED_AT, Long.MAX_VALUE)) {
            assertThat(fromFile.email().MessageId()).endsWith("@email-listener.generated>")
                    .isEqualTo(converter.convert(raw.getBytes(StandardCharsets.US_ASCII), RECEIVED_AT).MessageId());
        }
    }

    private Path write(String message) throws IOException {
        return Files.writeString(directory.resolve("message.eml"), message, StandardCharsets.US_ASCII);
    }

    private static String file(String name, int size) {
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) 'x');
        return "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + name
                + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content)
                + "\r\n";
    }

    private static String withFiles(String... files) {
        StringBuilder message = new StringBuilder("""
                From: alice@example.com\r
                To: bob@example.com\r
                Subject: Files\r
                Message-ID: <files@example.com>\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                See the files.\r
                """);
        for (String file : List.of(files)) {
            message.append("--b\r\n").append(file);
        }
        return message.append("--b--\r\n").toString();
    }
}
