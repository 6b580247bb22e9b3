package org.emaillistener.common.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.emaillistener.common.state.FailureKind;
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
}
