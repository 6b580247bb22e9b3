package org.emaillistener.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * The mail the benchmarks deliver: ordinary business mail of a chosen size (a text and an HTML
 * alternative, and above 100 KB a PDF-like attachment), with the benchmark's sequence number in a
 * header so that Creatio's stand-in can tell which message arrived when. CRLF line ends, no line
 * starting with a dot (LMTP needs neither escaping).
 */
final class BenchMessages {

    static final String SEQUENCE_HEADER = "X-Bench-Sequence";

    private static final String WORDS = "the quote for the order of next week is attached please confirm delivery "
            + "dates and the invoice address our project team will call you tomorrow regarding budget approval ";

    private BenchMessages() {
    }

    /** A message of about {@code size} bytes. */
    static byte[] message(int sequence, String to, int size) {
        Random random = new Random(sequence);
        StringBuilder mail = new StringBuilder(size + 1024);
        mail.append("From: Jane Sender <jane.sender@example.org>\r\n")
                .append("To: ").append(to).append("@example.com\r\n")
                .append("Cc: Team <team@example.org>, Tom Other <tom@example.net>\r\n")
                .append("Subject: Benchmark message ").append(sequence).append(" =?UTF-8?Q?=C3=BCber_Angebot?=\r\n")
                .append("Date: Mon, 2 Jun 2025 10:15:00 +0200\r\n")
                .append("Message-ID: <bench-").append(sequence).append("@example.org>\r\n")
                .append(SEQUENCE_HEADER).append(": ").append(sequence).append("\r\n")
                .append("MIME-Version: 1.0\r\n");
        boolean attachment = size > 100_000;
        int textSize = attachment ? 10_000 : size / 3;
        String outer = "outer-" + sequence;
        String alternative = "alt-" + sequence;
        if (attachment) {
            mail.append("Content-Type: multipart/mixed; boundary=\"").append(outer).append("\"\r\n\r\n")
                    .append("--").append(outer).append("\r\n");
        }
        mail.append("Content-Type: multipart/alternative; boundary=\"").append(alternative).append("\"\r\n\r\n")
                .append("--").append(alternative).append("\r\n")
                .append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
                .append(text(random, textSize, "", "=C3=BC"))
                .append("--").append(alternative).append("\r\n")
                .append("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
                .append("<html><body>").append(text(random, attachment ? textSize : size - mail.length() - textSize,
                        "<p>", "&uuml;")).append("</body></html>\r\n")
                .append("--").append(alternative).append("--\r\n");
        if (attachment) {
            byte[] pdf = new byte[(size - mail.length()) * 3 / 4];
            random.nextBytes(pdf);
            mail.append("--").append(outer).append("\r\n")
                    .append("Content-Type: application/pdf; name=\"quote-").append(sequence).append(".pdf\"\r\n")
                    .append("Content-Disposition: attachment; filename=\"quote-").append(sequence).append(".pdf\"\r\n")
                    .append("Content-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder().encodeToString(pdf)).append("\r\n")
                    .append("--").append(outer).append("--\r\n");
        }
        return mail.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Lines of words, quoted-printable-safe, about {@code size} characters. */
    private static String text(Random random, int size, String linePrefix, String umlaut) {
        StringBuilder text = new StringBuilder(Math.max(0, size) + 100);
        while (text.length() < size) {
            text.append(linePrefix);
            int line = 0;
            while (line < 70) {
                int start = random.nextInt(WORDS.length() - 12);
                String word = WORDS.substring(start, WORDS.indexOf(' ', start) + 1);
                text.append(word);
                line += word.length();
            }
            text.append(umlaut).append("\r\n");
        }
        return text.toString();
    }
}
