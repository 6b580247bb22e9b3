package org.emaillistener.common.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import jakarta.mail.MessagingException;

/** A server's words reach the caller (and the log) only as a short, single-line reason. */
class MailboxFailureTest {

    @Test
    void aServersTextIsOneShortLine() {
        String greeting = "220 sink ESMTP\r\n2026-12-03T00:00:00Z INFO forged log line\u0000" + "x".repeat(500);

        MailboxFailure failure = MailboxFailure.of(new MessagingException(greeting));

        assertThat(failure.kind()).isEqualTo(FailureKind.PROTOCOL);
        assertThat(failure.message()).doesNotContain("\r", "\n", "\u0000").contains("220 sink ESMTP");
        assertThat(failure.message().length()).isLessThan(200);
    }

    @Test
    void theMailboxsSecretIsTakenOutOfWhatAServerEchoes() {
        String secret = "Hunter2-secret";
        String base64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        MessagingException echoed = new MessagingException("A1 NO LOGIN jane " + secret,
                new IOException("AUTH PLAIN " + base64));

        assertThat(MailboxFailure.of(echoed).withoutSecret(secret).message()).contains("A1 NO LOGIN jane ********")
                .doesNotContain(secret);
        assertThat(MailboxFailure.mentions(echoed, secret)).isTrue();
        Throwable logged = MailboxFailure.withoutSecret(echoed, secret);
        assertThat(logged.toString()).isEqualTo("jakarta.mail.MessagingException: A1 NO LOGIN jane ********");
        assertThat(logged.getCause().getMessage()).isEqualTo("java.io.IOException: AUTH PLAIN ********");
        assertThat(logged.getStackTrace()).isEqualTo(echoed.getStackTrace());
        assertThat(MailboxFailure.withoutSecret("the abc in a word", "abc")).as("too short to hide")
                .isEqualTo("the abc in a word");
    }

    @Test
    void aFailureWithoutWordsIsNotNamedByItsJavaType() {
        assertThat(MailboxFailure.of(new MessagingException()).message())
                .isEqualTo("The mail server connection failed: no reason given");
    }
}
