package org.emaillistener.primary.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailAttachment;
import org.junit.jupiter.api.Test;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/** How Creatio's Email becomes a MIME message: addresses, headers, Message-ID and structure. */
class MimeComposerTest {

    final MimeComposer composer = new MimeComposer();

    @Test
    void readsNamedAndBareAddressesAndSemicolonSeparatedLists() throws Exception {
        List<InternetAddress> addresses = MimeComposer.addresses(List.of("Jane Doe <jane@example.com>",
                "bob@example.com; \"Smith; Carol\" <carol@example.com>;", " ", "dave@example.com, erin@example.com"),
                "To");

        assertThat(addresses).extracting(InternetAddress::getAddress).containsExactly("jane@example.com",
                "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com");
        assertThat(addresses.get(0).getPersonal()).isEqualTo("Jane Doe");
        assertThat(addresses.get(2).getPersonal()).isEqualTo("Smith; Carol");
    }

    @Test
    void encodesANonAsciiDisplayName() throws Exception {
        MimeMessage message = compose(email("Jürgen Müller <juergen@example.com>").build());

        assertThat(message.getHeader("To", ",")).startsWith("=?UTF-8?").contains("<juergen@example.com>");
        assertThat(((InternetAddress) message.getRecipients(RecipientType.TO)[0]).getPersonal())
                .isEqualTo("Jürgen Müller");
    }

    @Test
    void refusesAnAddressThatIsNoAddressWithAReasonForTheUser() {
        assertThatThrownBy(() -> compose(email("john@").build()))
                .isInstanceOf(UnsendableEmailException.class)
                .hasMessageContaining("\"john@\"").hasMessageContaining("not a valid e-mail address");
    }

    @Test
    void refusesAnEmailWithoutRecipients() {
        assertThatThrownBy(() -> compose(email().build()))
                .isInstanceOf(InvalidEmailException.class).hasMessageContaining("no recipients");
    }

    @Test
    void refusesAnAttachmentThatIsNotBase64() {
        Email email = email("to@example.com")
                .attachments(new EmailAttachment("", "report.pdf", "not base64!", false)).build();

        assertThatThrownBy(() -> compose(email))
                .isInstanceOf(InvalidEmailException.class).hasMessageContaining("Attachments[0] (report.pdf)");
    }

    @Test
    void sendsBlindCopiesToTheEnvelopeOnly() throws Exception {
        OutgoingMessage message = composer.compose(email("to@example.com").cc("cc@example.com")
                .bcc("hidden@example.com", "TO@example.com").build(), "me@example.com");

        assertThat(message.mime().getHeader("Bcc")).isNull();
        assertThat(written(message.mime())).doesNotContain("hidden@example.com");
        assertThat(message.recipients()).extracting(InternetAddress::getAddress)
                .containsExactly("to@example.com", "cc@example.com", "hidden@example.com");
    }

    @Test
    void writesTheMailboxAddressAsAuthorWhenTheSenderIsEmpty() throws Exception {
        MimeMessage message = compose(email("to@example.com").sender("").build());

        assertThat(message.getFrom()).extracting(Object::toString).containsExactly("me@example.com");
    }

    @Test
    void addsCustomHeadersButNoneThatWouldChangeTheStructure() throws Exception {
        MimeMessage message = compose(email("to@example.com").headers("X-Crm-Case=42=b", "Content-Type=text/evil",
                "MIME-Version=2.0", "Bcc=spy@example.com", "X-Injected=a\r\nBcc: spy@example.com", "No equals sign",
                "=nameless", "Bad Name=x", "X-Umlaut=Grüße").build());

        assertThat(message.getHeader("X-Crm-Case", null)).isEqualTo("42=b");
        assertThat(message.getContentType()).startsWith("text/plain");
        assertThat(message.getHeader("MIME-Version", null)).isEqualTo("1.0");
        assertThat(message.getHeader("Bcc")).isNull();
        assertThat(message.getHeader("X-Injected", null)).isEqualTo("a Bcc: spy@example.com");
        assertThat(message.getHeader("Bad Name")).isNull();
        assertThat(message.getHeader("X-Umlaut", null)).startsWith("=?UTF-8?");
        assertThat(written(message)).doesNotContain("\r\nBcc:").doesNotContain("text/evil");
    }

    @Test
    void takesTheMessageIdFromTheHeadersFirst() throws Exception {
        MimeMessage message = compose(email("to@example.com").headers("Message-ID=<from-headers@example.com>")
                .messageId("<field@example.com>").id("activity").build());

        assertThat(message.getMessageID()).isEqualTo("<from-headers@example.com>");
    }

    @Test
    void takesTheMessageIdFieldNextAndAddsMissingAngleBrackets() throws Exception {
        MimeMessage message = compose(email("to@example.com").messageId("field@example.com").id("activity").build());

        assertThat(message.getMessageID()).isEqualTo("<field@example.com>");
    }

    @Test
    void makesTheEmailIdAMessageIdInTheSendersDomain() throws Exception {
        MimeMessage message = compose(email("to@example.com").sender("Me <me@crm.example.org>")
                .id("6f1c2a3e-0000-4000-8000-000000000001").build());

        assertThat(message.getMessageID()).isEqualTo("<6f1c2a3e-0000-4000-8000-000000000001@crm.example.org>");
    }

    @Test
    void keepsInReplyToAndReferences() throws Exception {
        MimeMessage message = compose(email("to@example.com").inReplyTo("<earlier@example.com>")
                .references("<first@example.com> <earlier@example.com>").build());

        assertThat(message.getHeader("In-Reply-To", null)).isEqualTo("<earlier@example.com>");
        assertThat(message.getHeader("References", null)).isEqualTo("<first@example.com> <earlier@example.com>");
    }

    @Test
    void writesImportanceAsBothPriorityHeaders() throws Exception {
        MimeMessage high = compose(email("to@example.com").importance(Email.IMPORTANCE_HIGH).build());
        MimeMessage low = compose(email("to@example.com").importance(Email.IMPORTANCE_LOW).build());
        MimeMessage none = compose(email("to@example.com").importance(Email.IMPORTANCE_NONE).build());

        assertThat(high.getHeader("Importance", null)).isEqualTo("high");
        assertThat(high.getHeader("X-Priority", null)).isEqualTo("1 (Highest)");
        assertThat(low.getHeader("Importance", null)).isEqualTo("low");
        assertThat(low.getHeader("X-Priority", null)).isEqualTo("5 (Lowest)");
        assertThat(none.getHeader("Importance")).isNull();
    }

    @Test
    void writesAPlainTextEmailAsOneUtf8Part() throws Exception {
        MimeMessage message = compose(email("to@example.com").subject("Grüße\r\nBcc: x@example.com").body("Hallö")
                .build());

        assertThat(message.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
        assertThat(message.getContent()).isEqualTo("Hallö");
        assertThat(message.getSubject()).isEqualTo("Grüße Bcc: x@example.com");
        assertThat(message.getSentDate()).isNotNull();
    }

    @Test
    void attachesInlinePartsOfAPlainTextBodyAsOrdinaryAttachments() throws Exception {
        MimeMessage message = compose(email("to@example.com")
                .attachments(new EmailAttachment("logo", "logo.png", base64("png"), true)).build());

        MimeMultipart mixed = (MimeMultipart) message.getContent();
        assertThat(message.getContentType()).startsWith("multipart/mixed");
        assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo("attachment");
    }

    @Test
    void keepsTheBytesOfATextAttachment() throws Exception {
        byte[] unixLines = "one\ntwo\n".getBytes(StandardCharsets.UTF_8);
        MimeMessage message = compose(email("to@example.com")
                .attachments(new EmailAttachment("", "notes.txt", Base64.getEncoder().encodeToString(unixLines), false))
                .build());
        MimeMessage reread = new MimeMessage(null, new ByteArrayInputStream(written(message)
                .getBytes(StandardCharsets.UTF_8)));

        MimeBodyPart part = (MimeBodyPart) ((MimeMultipart) reread.getContent()).getBodyPart(1);
        assertThat(part.getInputStream().readAllBytes()).isEqualTo(unixLines);
    }

    @Test
    void namesAnAttachmentWithANonAsciiName() throws Exception {
        MimeMessage message = compose(email("to@example.com")
                .attachments(new EmailAttachment("", "Prüfbericht März.txt", base64("data"), false)).build());

        MimeBodyPart part = (MimeBodyPart) ((MimeMultipart) message.getContent()).getBodyPart(1);
        assertThat(part.getFileName()).isEqualTo("Prüfbericht März.txt");
        assertThat(part.getHeader("Content-Disposition", null)).contains("filename*=");
    }

    private MimeMessage compose(Email email) throws UnsendableEmailException {
        return composer.compose(email, "me@example.com").mime();
    }

    private static String written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out, new String[] { "Bcc" });
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static EmailBuilder email(String... to) {
        return new EmailBuilder().to(to);
    }

    /** Creatio's Email with only what a test sets. */
    static final class EmailBuilder {

        private String id = "";
        private String subject = "Hello";
        private String body = "Hello there";
        private String sender = "Me <me@example.com>";
        private List<String> to = List.of();
        private List<String> cc = List.of();
        private List<String> bcc = List.of();
        private List<String> headers = List.of();
        private int importance = Email.IMPORTANCE_NORMAL;
        private List<EmailAttachment> attachments = List.of();
        private String messageId = "";
        private String inReplyTo = "";
        private String references = "";

        EmailBuilder to(String... addresses) {
            to = List.of(addresses);
            return this;
        }

        EmailBuilder cc(String... addresses) {
            cc = List.of(addresses);
            return this;
        }

        EmailBuilder bcc(String... addresses) {
            bcc = List.of(addresses);
            return this;
        }

        EmailBuilder id(String value) {
            id = value;
            return this;
        }

        EmailBuilder subject(String value) {
            subject = value;
            return this;
        }

        EmailBuilder body(String value) {
            body = value;
            return this;
        }

        EmailBuilder sender(String value) {
            sender = value;
            return this;
        }

        EmailBuilder headers(String... values) {
            headers = List.of(values);
            return this;
        }

        EmailBuilder importance(int value) {
            importance = value;
            return this;
        }

        EmailBuilder attachments(EmailAttachment... values) {
            attachments = List.of(values);
            return this;
        }

        EmailBuilder messageId(String value) {
            messageId = value;
            return this;
        }

        EmailBuilder inReplyTo(String value) {
            inReplyTo = value;
            return this;
        }

        EmailBuilder references(String value) {
            references = value;
            return this;
        }

        Email build() {
            return new Email(id, subject, body, sender, to, cc, bcc, headers, importance, false, attachments, 0,
                    messageId, inReplyTo, references);
        }
    }
}
