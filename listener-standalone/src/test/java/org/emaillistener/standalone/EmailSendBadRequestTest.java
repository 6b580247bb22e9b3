package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.node.ObjectNode;

/**
 * A send request that is not a sendable email at all is answered with HTTP 400 and a JSON body that
 * names the problem. Its body limit is its own, larger than the other endpoints'. The SMTP server
 * is a closed port: nothing here is meant to reach one.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.api.max-body-size=16KB", "listener.api.max-send-body-size=64KB" })
class EmailSendBadRequestTest {

    @LocalServerPort
    int port;

    @Test
    void rejectsMalformedJson() {
        assertBadRequest(post("{\"Email\":{\"Subject\":"), "Malformed JSON");
    }

    @Test
    void rejectsARequestWithoutCredentials() {
        assertBadRequest(post(SendRequests.body(email(), null)), "Credentials is required");
    }

    @Test
    void rejectsARequestWithoutAnEmail() {
        assertBadRequest(post(SendRequests.body(null, smtp())), "Email is required");
    }

    @Test
    void rejectsAnEmailWithoutRecipients() {
        ObjectNode email = email();
        email.putArray("Recepients").add(" ");

        assertBadRequest(post(SendRequests.body(email, smtp())), "no recipients");
    }

    @Test
    void rejectsAnAttachmentThatIsNotBase64() {
        ObjectNode email = email();
        SendRequests.addAttachment(email, "", "report.pdf", "%%% not base64 %%%", false);

        assertBadRequest(post(SendRequests.body(email, smtp())), "Base64");
    }

    @Test
    void rejectsCredentialsWithoutAServer() {
        ObjectNode smtp = smtp();
        smtp.put("ServiceUrl", "");

        assertBadRequest(post(SendRequests.body(email(), smtp)), "Credentials.ServiceUrl");
    }

    @Test
    void rejectsABodyOverTheSendLimit() {
        ObjectNode email = email();
        SendRequests.addAttachment(email, "", "big.bin", Base64.getEncoder().encodeToString(new byte[60_000]), false);

        assertBadRequest(post(SendRequests.body(email, smtp())), "listener.api.max-send-body-size");
    }

    @Test
    void takesAttachmentsLargerThanTheLimitOfTheOtherEndpoints() {
        ObjectNode email = email();
        SendRequests.addAttachment(email, "", "big.bin", Base64.getEncoder().encodeToString(new byte[30_000]), false);

        HttpResponse<String> response = post(SendRequests.body(email, smtp()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("cannot be reached");
    }

    private static ObjectNode email() {
        return SendRequests.email("me@example.com", "you@example.com", "Bad request");
    }

    private static ObjectNode smtp() {
        return SendRequests.smtp(UUID.randomUUID(), "127.0.0.1", 1, "me@example.com", "secret");
    }

    private HttpResponse<String> post(String body) {
        return new ListenerApi(port).post("/apiv2/email/send", body);
    }

    private static void assertBadRequest(HttpResponse<String> response, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("\"message\":").contains(messagePart).doesNotContain("secret");
    }
}
