package org.emaillistener.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The stand-in refuses what Creatio's DataContractJsonSerializer would not read as meant. */
class CreatioContractTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INFO = "\"SubscriptionInfo\":{\"Id\":\"s\",\"SysAdminUnit\":\"Supervisor\","
            + "\"MailboxId\":\"m\",\"WorkspaceName\":\"Default\",\"TimeZoneId\":\"UTC\",\"EventTimeStamp\":0}";
    private static final String EMAIL = "{\"Id\":null,\"Subject\":\"Hi\",\"Body\":\"b\",\"Sender\":\"a@example.com\","
            + "\"Recepients\":[\"b@example.com\"],\"CopyRecepients\":[],\"BlindCopyRecepients\":[],\"Headers\":[],"
            + "\"Importance\":1,\"IsHtmlBody\":false,\"Attachments\":[{\"Id\":\"c\",\"Name\":\"n\",\"Base64Data\":\"\","
            + "\"IsInline\":false}],\"SendDateTimeStamp\":638369856000000000,\"MessageId\":\"<m@example.com>\","
            + "\"InReplyTo\":null,\"References\":null}";

    @Test
    void readsAWellFormedDelivery() {
        assertThat(CreatioContract.violations("ProcessFullEmail", tree("{\"Emails\":[" + EMAIL + "]," + INFO + "}")))
                .isEmpty();
    }

    @Test
    void refusesWhatCreatioWouldLoseOrFailOn() {
        String bad = EMAIL.replace("\"Importance\":1", "\"Importance\":\"High\"")
                .replace("\"CopyRecepients\":[]", "\"CopyRecepients\":null")
                .replace("\"MessageId\":\"<m@example.com>\"", "\"MessageId\":\"\"")
                .replace("\"SendDateTimeStamp\":638369856000000000", "\"SendDateTimeStamp\":\"2023-12-01\"")
                .replace("\"Base64Data\":\"\"", "\"Base64Data\":null")
                .replace("\"Recepients\"", "\"Recipients\"");

        assertThat(CreatioContract.violations("ProcessFullEmail", tree("{\"Emails\":[" + bad + "]," + INFO + "}")))
                .contains("Emails[0].Importance is a STRING, expected INTEGER",
                        "Emails[0].CopyRecepients is a NULL, expected ARRAY",
                        "Emails[0].MessageId is empty: Creatio drops the email",
                        "Emails[0].SendDateTimeStamp is a STRING, expected INTEGER",
                        "Emails[0].Attachments[0].Base64Data is a NULL, expected STRING",
                        "Emails[0].Recepients is missing",
                        "Emails[0].Recipients is not a member Creatio reads (a misspelling loses its value)");
    }

    @Test
    void refusesAnUnavailableMailboxThatNamesNoException() {
        JsonNode state = tree("{\"MailboxId\":\"m\",\"SenderEmailAddress\":\"a@example.com\",\"BpmUserName\":\"S\","
                + "\"BpmUserWorkspace\":\"Default\",\"Avaliable\":false,\"ExceptionClassName\":null,"
                + "\"ExceptionMessage\":null,\"Context\":\"{}\"}");

        assertThat(CreatioContract.violations("ProcessMailboxState", state))
                .containsExactly("Avaliable=false without ExceptionClassName and ExceptionMessage");
    }

    @Test
    void readsTheLegacyNewEmailEventWrappedAndCamelCaseOnly() {
        String event = "{\"newEvent\":{\"uniqueIds\":[\"AAMkAD=\"],\"id\":\"m\",\"sysAdminUnit\":\"Supervisor\","
                + "\"workspaceName\":\"Default\",\"timeZoneId\":\"UTC\",\"eventTimeStamp\":638369856000000000}}";

        assertThat(CreatioContract.violations("NewEmail", tree(event))).isEmpty();
        assertThat(CreatioContract.violations("NewEmail", tree(event.replace("\"uniqueIds\":[\"AAMkAD=\"]",
                "\"UniqueIds\":[]")))).contains("newEvent.uniqueIds is missing",
                        "newEvent.UniqueIds is not a member Creatio reads (a misspelling loses its value)");
        assertThat(CreatioContract.violations("NewEmail", tree(event.replace("[\"AAMkAD=\"]", "[]"))))
                .containsExactly("newEvent.uniqueIds must hold the new items' ids, each a non-empty string");
    }

    private static JsonNode tree(String json) {
        return JSON.readTree(json);
    }
}
