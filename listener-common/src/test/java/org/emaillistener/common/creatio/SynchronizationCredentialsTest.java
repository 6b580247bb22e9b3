package org.emaillistener.common.creatio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;

/** What a log line of a mailbox shows: never its password, token, or the password in its BpmEndpoint. */
class SynchronizationCredentialsTest {

    @Test
    void printsNoSecretNotEvenOneInTheBpmEndpointsUserInfo() {
        SynchronizationCredentials mailbox = CreatioJson.mapper().readValue(CreatioRequests.withOAuth(
                CreatioRequests.imapMailbox(UUID.randomUUID(), "imap.example.com", 993, "jane@example.com",
                        "pa55word", "https://svc:bpm-secret@crm.example.com/0/ServiceModel/"
                                + "ExchangeListenerService.svc/ProcessFullEmail", List.of()), "token-secret"),
                SynchronizationCredentials.class);

        assertThat(mailbox.toString()).doesNotContain("pa55word", "token-secret", "bpm-secret", "svc:")
                .contains("https://***@crm.example.com/0/ServiceModel/");
    }
}
