package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Properties;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

class EmailConverterTest {

    private static final Instant RECEIVED_AT = Instant.parse("2024-02-03T04:05:06Z");

    private final EmailConverter converter = new EmailConverter();

    @Test
    void plainTextMessageBecomesAPlainTextBody() {
        Email email = convert("""
                From: Alice <alice@example.com>
                To: bob@example.com
                Subject: Hello
                Message-ID: <1@example.com>
                Content-Type: text/plain; charset=utf-8

                Hello Bob
                """);

        assertThat(email.Body()).isEqualTo("Hello Bob\r\n");
        assertThat(email.IsHtmlBody()).isFalse();
        assertThat(email.Subject()).isEqualTo("Hello");
        assertThat(email.Sender()).isEqualTo("Alice <alice@example.com>");
        assertThat(email.Id()).isEmpty();
        assertThat(email.Attachments()).isEmpty();
    }

    @Test
    void messageComposedWithJakartaMailKeepsItsBodyImageAndFile() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        byte[] pdf = "%PDF-1.7 report".getBytes(StandardCharsets.US_ASCII);
        MimeBodyPart html = new MimeBodyPart();
        html.setText("<p>Отчёт <img src=\"cid:chart@example.com\"></p>", "UTF-8", "html");
        MimeBodyPart chart = new MimeBodyPart();
        chart.setDataHandler(new DataHandler(new ByteArrayDataSource(png, "image/png")));
        chart.setContentID("<chart@example.com>");
        chart.setDisposition(Part.INLINE);
        MimeBodyPart related = new MimeBodyPart();
        related.setContent(new MimeMultipart("related", html, chart));
        MimeBodyPart report = new MimeBodyPart();
        report.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
        report.setFileName("Отчёт.pdf");
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress("ann@example.com", "Ann Ünal", "UTF-8"));
        message.setRecipients(Message.RecipientType.TO, "bob@example.com");
        message.setSubject("Отчёт за ноябрь", "UTF-8");
        message.setSentDate(Date.from(Instant.parse("2023-12-01T00:00:00Z")));
        message.setContent(new MimeMultipart("mixed", related, report));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        message.writeTo(written);

        Email email = convert(written.toByteArray());

        assertThat(email.Subject()).isEqualTo("Отчёт за ноябрь");
        assertThat(email.Sender()).isEqualTo("Ann Ünal <ann@example.com>");
        assertThat(email.Recepients()).containsExactly("bob@example.com");
        assertThat(email.IsHtmlBody()).isTrue();
        assertThat(email.Body()).isEqualTo("<p>Отчёт <img src=\"cid:chart@example.com\"></p>");
        assertThat(email.SendDateTimeStamp()).isEqualTo(638369856000000000L);
        assertThat(email.MessageId()).isEqualTo(message.getMessageID());
        assertThat(email.Attachments()).containsExactly(
                new EmailAttachment("chart@example.com", "attachment-1.png", Base64.getEncoder().encodeToString(png),
                        true),
                new EmailAttachment("", "Отчёт.pdf", Base64.getEncoder().encodeToString(pdf), false));
    }

    @Test
    void htmlIsChosenOverItsPlainTextAlternative() {
        Email email = convert("""
                From: alice@example.com
                Content-Type: multipart/alternative; boundary="alt"

                --alt
                Content-Type: text/plain; charset=utf-8

                Hello *Bob*
                --alt
                Content-Type: text/html; charset=utf-8

                <p>Hello <b>Bob</b></p>
                --alt--
                """);

        assertThat(email.IsHtmlBody()).isTrue();
        assertThat(email.Body()).isEqualTo("<p>Hello <b>Bob</b></p>");
        assertThat(email.Attachments()).isEmpty();
    }

    @Test
    void htmlIsFoundBelowMixedAndRelatedParts() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: multipart/alternative; boundary="alt"

                --alt
                Content-Type: text/plain

                plain
                --alt
                Content-Type: multipart/related; boundary="rel"

                --rel
                Content-Type: text/html

                <p>deep</p>
                --rel--
                --alt--
                --mix--
                """);

        assertThat(email.IsHtmlBody()).isTrue();
        assertThat(email.Body()).isEqualTo("<p>deep</p>");
    }

    @Test
    void imageOfARelatedPartIsAnInlineAttachmentIdentifiedByItsContentId() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 1, 2, 3};
        Email email = convert("""
                Content-Type: multipart/related; boundary="rel"

                --rel
                Content-Type: text/html; charset=utf-8

                <p><img src="cid:logo.123@example.com"></p>
                --rel
                Content-Type: image/png; name="logo.png"
                Content-Transfer-Encoding: base64
                Content-ID: <logo.123@example.com>

                %s
                --rel--
                """.formatted(base64Lines(png)));

        assertThat(email.Body()).contains("cid:logo.123@example.com");
        assertThat(email.Attachments()).containsExactly(
                new EmailAttachment("logo.123@example.com", "logo.png", Base64.getEncoder().encodeToString(png), true));
    }

    @Test
    void imageTheBodyDoesNotReferenceIsARegularAttachment() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: text/plain

                See the photo.
                --mix
                Content-Type: image/jpeg; name="photo.jpg"
                Content-Disposition: inline; filename="photo.jpg"
                Content-ID: <photo@example.com>

                jpeg
                --mix--
                """);

        EmailAttachment photo = email.Attachments().getFirst();
        assertThat(photo.IsInline()).isFalse();
        assertThat(photo.Id()).isEqualTo("photo@example.com");
    }

    @Test
    void pdfAttachmentCarriesItsExactBytesAsBase64() {
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: text/plain

                Invoice attached.
                --mix
                Content-Type: application/pdf; name="invoice.pdf"
                Content-Disposition: attachment; filename="invoice.pdf"
                Content-Transfer-Encoding: base64

                %s
                --mix--
                """.formatted(base64Lines(pdf)));

        assertThat(email.Body()).isEqualTo("Invoice attached.");
        assertThat(email.Attachments()).containsExactly(
                new EmailAttachment("", "invoice.pdf", Base64.getEncoder().encodeToString(pdf), false));
    }

    @Test
    void textPartDeclaredAsAttachmentIsAFileNotBody() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: text/plain

                Body.
                --mix
                Content-Type: text/plain
                Content-Disposition: attachment

                notes
                --mix--
                """);

        assertThat(email.Body()).isEqualTo("Body.");
        assertThat(email.Attachments()).extracting(EmailAttachment::Name).containsExactly("attachment-1.txt");
    }

    @Test
    void attachmentWithoutAFileNameIsNamedAfterItsType() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: image/png

                png
                --mix
                Content-Type: application/x-unheard-of

                data
                --mix--
                """);

        assertThat(email.Attachments()).extracting(EmailAttachment::Name)
                .containsExactly("attachment-1.png", "attachment-2.bin");
    }

    @Test
    void rfc2231FileNameIsDecoded() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: application/pdf
                Content-Disposition: attachment; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf

                pdf
                --mix--
                """);

        assertThat(email.Attachments().getFirst().Name()).isEqualTo("Счёт.pdf");
    }

    @Test
    void encodedWordFileNameIsDecoded() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: application/pdf; name="=?UTF-8?B?0KHRh9GR0YIucGRm?="
                Content-Disposition: attachment; filename="=?UTF-8?B?0KHRh9GR0YIucGRm?="

                pdf
                --mix--
                """);

        assertThat(email.Attachments().getFirst().Name()).isEqualTo("Счёт.pdf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "..\\\\..\\\\etc\\\\passwd", "/etc/passwd", "C:\\\\temp\\\\passwd"})
    void fileNameIsCutToItsLastPathSegment(String fileName) {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="%s"

                root:x:0:0
                --mix--
                """.formatted(fileName));

        assertThat(email.Attachments().getFirst().Name()).isEqualTo("passwd");
    }

    @Test
    void attachedMessageBecomesAnEmlFileNamedAfterItsSubject() {
        String attached = crlf("""
                From: carol@example.com
                Subject: Quarterly: numbers

                The numbers.
                """);
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: text/plain

                Forwarding.
                --mix
                Content-Type: message/rfc822

                %s
                --mix--
                """.formatted(attached));

        EmailAttachment eml = email.Attachments().getFirst();
        assertThat(eml.Name()).isEqualTo("Quarterly_ numbers.eml");
        assertThat(new String(Base64.getDecoder().decode(eml.Base64Data()), StandardCharsets.UTF_8))
                .startsWith("From: carol@example.com\r\nSubject: Quarterly: numbers\r\n\r\nThe numbers.");
        assertThat(email.Body()).isEqualTo("Forwarding.");
    }

    @Test
    void textPartsOfTheSameKindAreJoinedInOrder() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: text/plain

                first
                --mix
                Content-Type: application/octet-stream; name="a.bin"

                x
                --mix
                Content-Type: text/plain

                second
                --mix--
                """);

        assertThat(email.Body()).isEqualTo("first\r\nsecond");
        assertThat(email.Attachments()).hasSize(1);
    }

    @Test
    void messageWithoutTextHasAnEmptyBody() {
        Email email = convert("""
                Content-Type: application/pdf; name="scan.pdf"

                pdf
                """);

        assertThat(email.Body()).isEmpty();
        assertThat(email.IsHtmlBody()).isFalse();
        assertThat(email.Attachments()).extracting(EmailAttachment::Name).containsExactly("scan.pdf");
    }

    @Test
    void encodedWordSubjectIsDecoded() {
        Email email = convert("""
                Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?ISO-8859-1?Q?caf=E9?=
                From: alice@example.com

                x
                """);

        assertThat(email.Subject()).isEqualTo("Приветcafé");
    }

    @Test
    void adjacentEncodedWordsWithoutSpaceAreDecoded() {
        Email email = convert("""
                Subject: =?UTF-8?B?0J/RgNC4?==?UTF-8?B?0LLQtdGC?=

                x
                """);

        assertThat(email.Subject()).isEqualTo("Привет");
    }

    @Test
    void senderWithANonAsciiNameIsTheDecodedNameAndTheAddress() {
        Email email = convert("""
                From: =?UTF-8?Q?Jos=C3=A9_M=C3=BCller?= <jose@example.com>

                x
                """);

        assertThat(email.Sender()).isEqualTo("José Müller <jose@example.com>");
    }

    @Test
    void senderFallsBackToTheSenderHeader() {
        Email email = convert("""
                Sender: list-bounces@example.com

                x
                """);

        assertThat(email.Sender()).isEqualTo("list-bounces@example.com");
    }

    @Test
    void iso88591BodyIsDecodedWithItsCharset() {
        Email email = convert(bytes("""
                Content-Type: text/plain; charset=ISO-8859-1
                Content-Transfer-Encoding: 8bit

                """, "Café à la crème", StandardCharsets.ISO_8859_1));

        assertThat(email.Body()).isEqualTo("Café à la crème");
    }

    @Test
    void windows1251BodyIsDecodedWithItsCharset() {
        Email email = convert(bytes("""
                Content-Type: text/plain; charset=windows-1251
                Content-Transfer-Encoding: 8bit

                """, "Добрый день", Charset.forName("windows-1251")));

        assertThat(email.Body()).isEqualTo("Добрый день");
    }

    @Test
    void unknownCharsetIsReadAsUtf8() {
        Email email = convert(bytes("""
                Content-Type: text/plain; charset=x-no-such-charset

                """, "Grüße", StandardCharsets.UTF_8));

        assertThat(email.Body()).isEqualTo("Grüße");
    }

    @Test
    void unknownCharsetOnBytesThatAreNotUtf8IsReadAsIso88591() {
        Email email = convert(bytes("""
                Content-Type: text/html; charset="bogus\\"name"

                """, "<p>Grüße</p>", StandardCharsets.ISO_8859_1));

        assertThat(email.Body()).isEqualTo("<p>Grüße</p>");
        assertThat(email.IsHtmlBody()).isTrue();
    }

    @Test
    void asciiDeclaredOnUtf8TextIsReadAsUtf8() {
        Email email = convert(bytes("""
                Content-Type: text/plain; charset=us-ascii

                """, "naïve", StandardCharsets.UTF_8));

        assertThat(email.Body()).isEqualTo("naïve");
    }

    @Test
    void recipientsCopiesAndBlindCopiesAreListedSeparately() {
        Email email = convert("""
                To: Bob <bob@example.com>, carol@example.com
                To: "Doe, Dan" <dan@example.com>
                Cc: =?UTF-8?Q?Ev=C3=A9?= <eve@example.com>
                Bcc: frank@example.com

                x
                """);

        assertThat(email.Recepients())
                .containsExactly("Bob <bob@example.com>", "carol@example.com", "Doe, Dan <dan@example.com>");
        assertThat(email.CopyRecepients()).containsExactly("Evé <eve@example.com>");
        assertThat(email.BlindCopyRecepients()).containsExactly("frank@example.com");
    }

    @Test
    void undisclosedRecipientsGroupNamesNobody() {
        Email email = convert("""
                To: undisclosed-recipients:;

                x
                """);

        assertThat(email.Recepients()).isEmpty();
    }

    @Test
    void addressHeaderThatDoesNotParseIsSplitOnCommas() {
        Email email = convert("""
                To: "unbalanced <ann@example.com>, ben@example.com

                x
                """);

        assertThat(email.Recepients()).containsExactly("\"unbalanced <ann@example.com>", "ben@example.com");
    }

    @Test
    void headersAreNameEqualsRawValueInOrderWithFoldingRemoved() {
        Email email = convert("""
                Received: from mx.example.com
                \tby mail.example.com;
                    Fri, 01 Dec 2023 00:00:00 +0000
                Subject: =?UTF-8?Q?caf=C3=A9?=
                X-Custom: a=b

                x
                """);

        assertThat(email.Headers()).containsExactly(
                "Received=from mx.example.com by mail.example.com; Fri, 01 Dec 2023 00:00:00 +0000",
                "Subject==?UTF-8?Q?caf=C3=A9?=",
                "X-Custom=a=b");
    }

    @Test
    void strayLineWithoutAColonIsNotAHeader() {
        Email email = convert("""
                Subject: x
                this line is no header
                X-After: 1

                x
                """);

        assertThat(email.Headers()).containsExactly("Subject=x", "X-After=1");
    }

    @ParameterizedTest
    @CsvSource({"high, 2", "High, 2", "normal, 1", "LOW, 3"})
    void importanceComesFromTheImportanceHeader(String header, int importance) {
        Email email = convert("Importance: " + header + "\nX-Priority: 3\n\nx\n");

        assertThat(email.Importance()).isEqualTo(importance);
    }

    @ParameterizedTest
    @CsvSource({"'1 (Highest)', 2", "2, 2", "3, 1", "4, 3", "5 (Lowest), 3"})
    void importanceFallsBackToXPriority(String header, int importance) {
        Email email = convert("X-Priority: " + header + "\nX-MSMail-Priority: Normal\n\nx\n");

        assertThat(email.Importance()).isEqualTo(importance);
    }

    @ParameterizedTest
    @CsvSource({"High, 2", "Normal, 1", "Low, 3"})
    void importanceFallsBackToXMsMailPriority(String header, int importance) {
        Email email = convert("X-MSMail-Priority: " + header + "\n\nx\n");

        assertThat(email.Importance()).isEqualTo(importance);
    }

    @Test
    void messageThatSaysNothingAboutImportanceIsNormal() {
        assertThat(convert("Subject: x\n\nx\n").Importance()).isEqualTo(Email.IMPORTANCE_NORMAL);
    }

    @Test
    void dateHeaderBecomesDotNetTicksInUtc() {
        Email email = convert("""
                Date: Fri, 01 Dec 2023 03:00:00 +0300

                x
                """);

        assertThat(email.SendDateTimeStamp()).isEqualTo(638369856000000000L);
    }

    @Test
    void messageWithoutADateIsDatedByItsArrival() {
        Email email = convert("""
                Subject: undated

                x
                """);

        assertThat(email.SendDateTimeStamp()).isEqualTo(DotNetTicks.of(RECEIVED_AT));
    }

    @Test
    void unreadableDateIsReplacedByTheArrival() {
        Email email = convert("""
                Date: sometime last week

                x
                """);

        assertThat(email.SendDateTimeStamp()).isEqualTo(DotNetTicks.of(RECEIVED_AT));
    }

    @Test
    void messageIdIsKeptAsWritten() {
        Email email = convert("""
                Message-ID:
                 <abc.123@example.com>\s

                x
                """);

        assertThat(email.MessageId()).isEqualTo("<abc.123@example.com>");
    }

    @Test
    void missingMessageIdIsSynthesizedTheSameForTheSameBytes() {
        byte[] raw = crlf("Subject: no id\n\nx\n").getBytes(StandardCharsets.UTF_8);

        String first = converter.convert(raw, RECEIVED_AT).MessageId();
        String second = new EmailConverter().convert(raw.clone(), Instant.now()).MessageId();

        assertThat(first).matches("<[0-9a-f]{32}@email-listener\\.generated>").isEqualTo(second);
    }

    @Test
    void missingMessageIdIsSynthesizedDifferentlyForDifferentBytes() {
        assertThat(convert("Subject: one\n\nx\n").MessageId()).isNotEqualTo(convert("Subject: two\n\nx\n").MessageId());
    }

    @Test
    void inReplyToAndReferencesAreUnfoldedRawValues() {
        Email email = convert("""
                In-Reply-To: <b@example.com>
                References: <a@example.com>
                 <b@example.com>

                x
                """);

        assertThat(email.InReplyTo()).isEqualTo("<b@example.com>");
        assertThat(email.References()).isEqualTo("<a@example.com> <b@example.com>");
    }

    @Test
    void unquotedBoundaryWithAnEqualsSignStillSeparatesTheParts() {
        Email email = convert("""
                Content-Type: multipart/alternative; boundary=----=_Part_1

                ------=_Part_1
                Content-Type: text/plain

                plain
                ------=_Part_1
                Content-Type: text/html

                <p>html</p>
                ------=_Part_1--
                """);

        assertThat(email.Body()).isEqualTo("<p>html</p>");
    }

    @Test
    void boundaryThatNeverAppearsLeavesTheRawTextAsThePlainBody() {
        Email email = convert("""
                From: alice@example.com
                Subject: Broken
                Content-Type: multipart/mixed; boundary="never-there"

                The text is still here.
                """);

        assertThat(email.Subject()).isEqualTo("Broken");
        assertThat(email.Sender()).isEqualTo("alice@example.com");
        assertThat(email.Body()).contains("The text is still here.");
        assertThat(email.IsHtmlBody()).isFalse();
    }

    @Test
    void unquotedFileNameWithSpacesIsReadWhole() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: application/pdf
                Content-Disposition: attachment; filename=annual report.pdf

                pdf
                --mix--
                """);

        assertThat(email.Attachments().getFirst().Name()).isEqualTo("annual report.pdf");
    }

    @Test
    void base64WithStrayCharactersIsDecodedAroundThem() {
        Email email = convert("""
                Content-Type: multipart/mixed; boundary="mix"

                --mix
                Content-Type: application/octet-stream; name="a.bin"
                Content-Transfer-Encoding: base64

                AAEC!!!Aw==
                --mix--
                """);

        assertThat(email.Attachments()).extracting(EmailAttachment::Base64Data).containsExactly("AAECAw==");
    }

    @Test
    void garbageBytesBecomeAPlainTextBody() {
        byte[] garbage = "\u0000\u0001 this is not a mail message \u00ff\u00fe\r\n\r\nstill not"
                .getBytes(StandardCharsets.ISO_8859_1);

        Email email = converter.convert(garbage, RECEIVED_AT);

        assertThat(email.Body()).contains("this is not a mail message").doesNotContain("\u0000");
        assertThat(email.Subject()).isEmpty();
        assertThat(email.MessageId()).endsWith("@email-listener.generated>");
        assertThat(email.SendDateTimeStamp()).isEqualTo(DotNetTicks.of(RECEIVED_AT));
    }

    @Test
    void zeroByteMessageGivesAnEmptyEmailWithAnId() {
        Email email = converter.convert(new byte[0], RECEIVED_AT);

        assertThat(email.Subject()).isEmpty();
        assertThat(email.Body()).isEmpty();
        assertThat(email.Sender()).isEmpty();
        assertThat(email.MessageId()).isNotEmpty();
        assertThat(email.Importance()).isEqualTo(Email.IMPORTANCE_NORMAL);
    }

    @Test
    void everyListIsPresentForAnEmptyMessage() {
        for (Email email : new Email[] {converter.convert(new byte[0], RECEIVED_AT), convert("Subject: x\n\n")}) {
            assertThat(email.Recepients()).isNotNull();
            assertThat(email.CopyRecepients()).isNotNull();
            assertThat(email.BlindCopyRecepients()).isNotNull();
            assertThat(email.Headers()).isNotNull();
            assertThat(email.Attachments()).isNotNull();
            assertThat(email.InReplyTo()).isNotNull();
            assertThat(email.References()).isNotNull();
        }
    }

    @Test
    void sixtyLevelsOfNestedMultipartDoNotOverflowTheStack() {
        StringBuilder message = new StringBuilder("Subject: deep\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
        for (int level = 1; level <= 60; level++) {
            message.append("--b").append(level - 1).append('\n')
                    .append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\n\n");
        }
        message.append("--b60\nContent-Type: text/plain\n\ninnermost\n--b60--\n");
        for (int level = 59; level >= 0; level--) {
            message.append("--b").append(level).append("--\n");
        }

        Email email = convert(message.toString());

        assertThat(email.Subject()).isEqualTo("deep");
        assertThat(email.Attachments()).hasSize(1);
        assertThat(new String(Base64.getDecoder().decode(email.Attachments().getFirst().Base64Data()),
                StandardCharsets.UTF_8)).contains("innermost");
    }

    private Email convert(String rfc822) {
        return converter.convert(crlf(rfc822).getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
    }

    private Email convert(byte[] rfc822) {
        return converter.convert(rfc822, RECEIVED_AT);
    }

    /** A message's header block (in ASCII) followed by a body in the given charset. */
    private static byte[] bytes(String headers, String body, Charset charset) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(crlf(headers).getBytes(StandardCharsets.US_ASCII));
        message.writeBytes(body.getBytes(charset));
        return message.toByteArray();
    }

    private static String crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private static String base64Lines(byte[] data) {
        return Base64.getMimeEncoder().encodeToString(data);
    }
}
