package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every endpoint answers bad input with HTTP 400 and a JSON body that names the problem, and leaves
 * what is already registered alone. The registered mailbox points at a closed port: its subscription
 * keeps retrying, which is "exists" to Creatio.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "listener.api.max-body-size=16KB")
class BadRequestTest {

    static final String ENDPOINT = "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail";
    static final UUID REGISTERED = UUID.randomUUID();

    @LocalServerPort
    int port;

    @BeforeEach
    void registerOneMailbox() {
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                REGISTERED, "127.0.0.1", 1, "kept@example.com", "secret", ENDPOINT, List.of())));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/listeners/create", "/api/listeners/recreate", "/api/listeners/update" })
    void rejectsMalformedJson(String path) {
        assertBadRequest(api().post(path, "[{Id:\"" + UUID.randomUUID() + "\",Port:"), "Malformed JSON");
    }

    @Test
    void rejectsAMissingBody() {
        assertBadRequest(api().post("/api/listeners/create", ""), "missing");
    }

    @Test
    void rejectsAnEmptyList() {
        assertBadRequest(api().post("/api/listeners/create", "[]"), "at least one mailbox");
    }

    @Test
    void rejectsAMissingId() {
        assertBadRequest(api().post("/api/listeners/create", mailbox(null, "Port:993")), "Id is required");
    }

    @Test
    void rejectsANonGuidId() {
        assertBadRequest(api().post("/api/listeners/create",
                "[{Id:\"not-a-guid\",ServerTypeId:\"" + CreatioRequests.IMAP + "\"}]"), "Id");
    }

    @Test
    void rejectsAnIllTypedField() {
        assertBadRequest(api().post("/api/listeners/create", mailbox(UUID.randomUUID(), "Port:\"many\"")), "Port");
    }

    @Test
    void rejectsAnObjectWhereCreatioSendsAnArrayInItsOwnTerms() {
        var response = api().post("/api/listeners/create", "{Id:\"" + UUID.randomUUID() + "\"}");

        assertBadRequest(response, "array of SynchronizationCredentials");
    }

    /** Issue 14, finding 8: a CR/LF or NUL in a field logged as given would start a forged log line. */
    @Test
    void rejectsControlCharactersThatWouldForgeLogLines() {
        String forged = "u\\r\\n2026-12-03T10:00:00Z  INFO 1 --- [main] Mailbox 0 registered";
        assertBadRequest(api().post("/api/listeners/create", mailbox(UUID.randomUUID(), "SenderEmailAddress:\""
                + forged + "\"")), "SenderEmailAddress must not contain control characters");
        assertBadRequest(api().post("/api/listeners/create", mailbox(UUID.randomUUID(), "FolderIds:[\"INBOX\\u0000\"]")),
                "FolderIds[0] must not contain control characters");
        assertBadRequest(api().post("/api/mailbox/validate", mailbox(UUID.randomUUID(), "Port:993")
                .replace("UserName:\"u\"", "UserName:\"" + forged + "\"").replace("[{", "{").replace("}]", "}")),
                "UserName must not contain control characters");
    }

    @Test
    void rejectsAnUnknownServerType() {
        String body = CreatioRequests.array(CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", 993, "u", "p",
                ENDPOINT, List.of())).replace(CreatioRequests.IMAP, "00000000-0000-0000-0000-000000000001");
        assertBadRequest(api().post("/api/listeners/create", body), "ServerTypeId");
    }

    @Test
    void rejectsAPortOutOfRange() {
        String body = CreatioRequests.array(CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", 70000, "u",
                "p", ENDPOINT, List.of()));
        assertBadRequest(api().post("/api/listeners/create", body), "Port");
    }

    @Test
    void rejectsABpmEndpointThatIsNoUrl() {
        String body = CreatioRequests.array(CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", 993, "u", "p",
                "not a url", List.of()));
        assertBadRequest(api().post("/api/listeners/create", body), "BpmEndpoint");
    }

    @Test
    void rejectsAnOversizedBody() {
        assertBadRequest(api().post("/api/listeners/create", "[\"" + "x".repeat(20_000) + "\"]"), "larger than");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/listeners/close", "/api/listeners/subscriptionsstate" })
    void rejectsIdListsThatAreNotGuids(String path) {
        assertBadRequest(api().post(path, "[\"" + REGISTERED + "\",\"nope\"]"), "not a GUID");
        assertBadRequest(api().post(path, "{\"Id\":1}"), "");
        assertBadRequest(api().post(path, "[1,"), "Malformed JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/listeners/create", "/api/mailbox/validate", "/api/mailbox/folders" })
    void rejectsAnImapServiceUrlThatIsNoHost(String path) {
        String good = CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", 993, "u", "p", ENDPOINT, List.of());
        for (String bad : List.of("imap://bad host", "imap.example.com/ bad", "mail\\r\\nexample.com",
                "imap.example.com:993/%00")) {
            String body = good.replace("ServiceUrl:\"127.0.0.1\"", "ServiceUrl:\"" + bad + "\"");
            // A line break is refused as a control character, the rest as no host name.
            assertBadRequest(api().post(path, path.endsWith("create") ? CreatioRequests.array(body) : body),
                    "ServiceUrl must ");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/mailbox/validate", "/api/mailbox/folders" })
    void rejectsAMailboxThatNamesNoUsableServer(String path) {
        String good = CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", 993, "u", "p", ENDPOINT, List.of());
        assertBadRequest(api().post(path, "{Id:\"" + UUID.randomUUID() + "\",Port:"), "Malformed JSON");
        assertBadRequest(api().post(path, ""), "missing");
        assertBadRequest(api().post(path, CreatioRequests.array(good)), "SynchronizationCredentials");
        assertBadRequest(api().post(path, good.replaceFirst("Id:\"[^\"]+\",", "")), "Id is required");
        assertBadRequest(api().post(path, good.replace("ServerTypeId:\"" + CreatioRequests.IMAP + "\",", "")),
                "ServerTypeId is required");
        assertBadRequest(api().post(path, good.replace(CreatioRequests.IMAP, "00000000-0000-0000-0000-000000000001")),
                "ServerTypeId");
        String exchange = good.replace(CreatioRequests.IMAP, "3490bd45-4f4d-4613-aa06-454546f3342a");
        assertBadRequest(api().post(path, exchange.replace("ServiceUrl:\"127.0.0.1\",", "")), "EWS address");
        assertBadRequest(api().post(path, exchange.replace("ServiceUrl:\"127.0.0.1\",",
                "ServiceUrl:\"ftp://mail.example.com/EWS\",")), "http(s) EWS address");
        assertBadRequest(api().post(path, good.replace("ServiceUrl:\"127.0.0.1\",", "")), "ServiceUrl is required");
        assertBadRequest(api().post(path, good.replace("Port:993,", "")), "Port");
    }

    @Test
    void rejectsAnAvailabilityCheckWithoutACallbackUrl() {
        String path = "/api/availability/app";
        assertBadRequest(api().post(path, "\"not a url\""), "absolute http(s) URL");
        assertBadRequest(api().post(path, "\"ftp://creatio.example.com/\""), "absolute http(s) URL");
        assertBadRequest(api().post(path, "{Url:\"" + ENDPOINT + "\"}"), "JSON string");
        assertBadRequest(api().post(path, "42"), "JSON string");
        assertBadRequest(api().post(path, "\"" + ENDPOINT), "Malformed JSON");
        assertBadRequest(api().post(path, ""), "missing");
    }

    @Test
    void keepsWhatIsRegisteredWhenARequestIsBad() {
        api().post("/api/listeners/close", "[\"" + REGISTERED + "\",\"nope\"]");
        api().post("/api/listeners/update", mailbox(REGISTERED, "Port:0"));

        assertThat(api().stateOf(REGISTERED.toString())).isEqualTo("exists");
    }

    @Test
    void answersOrdinaryJsonToo() {
        UUID id = UUID.randomUUID();
        String quoted = CreatioRequests.imapMailbox(id, "127.0.0.1", 1, "quoted@example.com", "p", ENDPOINT, List.of())
                .replace("{UserRequested:false,HasError:false}", "context")
                .replaceAll("([{,])([A-Za-z]+):", "$1\"$2\":");
        var response = api().post("/api/listeners/create", "[" + quoted + "]");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(api().stateOf(id.toString())).isEqualTo("exists");
    }

    private static String mailbox(UUID id, String extra) {
        return "[{" + (id == null ? "" : "Id:\"" + id + "\",") + "ServerTypeId:\"" + CreatioRequests.IMAP + "\","
                + "ServiceUrl:\"127.0.0.1\",UserName:\"u\",Password:\"p\",BpmEndpoint:\"" + ENDPOINT + "\"," + extra
                + "}]";
    }

    private static void assertBadRequest(HttpResponse<String> response, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("\"message\":").contains(messagePart).doesNotContain("at org.")
                // Issue 14, finding 8: the caller reads the wire's names, never the listener's Java types.
                .doesNotContainPattern("\\b(java|javax|org\\.emaillistener|tools\\.jackson)\\.");
    }

    private ListenerApi api() {
        return new ListenerApi(port);
    }
}
