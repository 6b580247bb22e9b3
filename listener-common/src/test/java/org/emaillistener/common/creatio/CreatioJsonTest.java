package org.emaillistener.common.creatio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class CreatioJsonTest {

    private final JsonMapper json = CreatioJson.mapper();

    @Test
    void readsCredentialsInCreatiosUnquotedDialect() {
        String body = "[{Id:\"11111111-2222-3333-4444-555555555555\",UserName:\"user@example.com\",Password:\"secret\","
                + "ServerTypeId:\"844f0837-eaa0-4f40-b965-71f5db9eae6e\",ServiceUrl:\"imap.example.com\",Port:993,"
                + "UseSsl:true,SecureOption:2,BpmEndpoint:\"http://creatio/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail\","
                + "Context:\"{UserRequested:false,HasError:false}\",FolderIds:[\"INBOX\"],"
                + "FeatureValues:{\"MarkEmailsAsSynchronized\":true,\"UseBinaryData\":false}}]";

        List<SynchronizationCredentials> read = json.readValue(body, new TypeReference<>() {
        });

        SynchronizationCredentials mailbox = read.getFirst();
        assertThat(mailbox.Id()).isEqualTo(UUID.fromString("11111111-2222-3333-4444-555555555555"));
        assertThat(mailbox.Port()).isEqualTo(993);
        assertThat(mailbox.UseSsl()).isTrue();
        assertThat(mailbox.serverType()).isEqualTo(ServerType.IMAP);
        assertThat(mailbox.FolderIds()).containsExactly("INBOX");
        assertThat(mailbox.Context()).isEqualTo("{UserRequested:false,HasError:false}");
        assertThat(mailbox.marksEmailsAsSynchronized()).isTrue();
    }

    @Test
    void readsOrdinaryJsonWithAnyCaseOfNames() {
        SynchronizationCredentials mailbox = json.readValue(
                "{\"id\":\"11111111-2222-3333-4444-555555555555\",\"port\":143,\"FOLDERIDS\":[]}",
                SynchronizationCredentials.class);

        assertThat(mailbox.Port()).isEqualTo(143);
        assertThat(mailbox.FolderIds()).isEmpty();
    }

    @Test
    void writesEmailWithExactWireNamesAndEveryList() {
        Email email = new Email(null, "Hi", "<p>x</p>", "A <a@example.com>", List.of("b@example.com"), null, null,
                null, Email.IMPORTANCE_HIGH, true, null, DotNetTicks.of(Instant.parse("2023-12-01T00:00:00Z")),
                "<id@example.com>", null, null);

        String written = json.writeValueAsString(email);

        assertThat(written).isEqualTo("{\"Id\":\"\",\"Subject\":\"Hi\",\"Body\":\"<p>x</p>\","
                + "\"Sender\":\"A <a@example.com>\",\"Recepients\":[\"b@example.com\"],\"CopyRecepients\":[],"
                + "\"BlindCopyRecepients\":[],\"Headers\":[],\"Importance\":2,\"IsHtmlBody\":true,\"Attachments\":[],"
                + "\"SendDateTimeStamp\":638369856000000000,\"MessageId\":\"<id@example.com>\",\"InReplyTo\":\"\","
                + "\"References\":\"\"}");
    }

    @Test
    void writesMailboxStateWithCreatiosSpellingOfAvailable() {
        var report = new MailboxStateReport("m", "a@example.com", "Supervisor", "Default", false,
                "MailKit.Security.AuthenticationException", "wrong password", "{}");

        assertThat(json.writeValueAsString(report)).contains("\"Avaliable\":false",
                "\"ExceptionClassName\":\"MailKit.Security.AuthenticationException\"");
    }

    @Test
    void convertsInstantsToDotNetTicks() {
        assertThat(DotNetTicks.of(Instant.parse("2023-12-01T00:00:00Z"))).isEqualTo(638369856000000000L);
        assertThat(DotNetTicks.toInstant(638369856000000000L)).isEqualTo(Instant.parse("2023-12-01T00:00:00Z"));
    }

    @Test
    void derivesCallbackUrlsFromTheBpmEndpoint() {
        assertThat(CreatioClient.operationUri(
                "https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail",
                "ProcessMailboxState"))
                .hasToString("https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessMailboxState");
    }
}
