package org.emaillistener.common.creatio;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import org.emaillistener.common.retry.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;

import tools.jackson.core.Base64Variants;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls Creatio's anonymous {@code ExchangeListenerService.svc} on the host of the mailbox's
 * {@code BpmEndpoint}. Redirects are never followed: a callback goes where Creatio said, or nowhere.
 * <p>
 * A call that got no answer, a 5xx or a 429 is tried again within the same delivery after a short,
 * jittered wait ({@code listener.creatio.retry.*}): a Creatio that fails some calls under load gets
 * the mail a fraction of a second later, not after a sync job's back-off. Each exchange goes
 * through the host's {@link CreatioCircuits circuit}.
 */
public class CreatioClient {

    private static final Logger log = LoggerFactory.getLogger(CreatioClient.class);
    private static final int BODY_EXCERPT = 300;

    private final JsonMapper json;
    private final CreatioProperties properties;
    private final CallbackAllowList allowList;
    private final MeterRegistry meters;
    private final CreatioCircuits circuits;
    private final HttpClient http;

    public CreatioClient(JsonMapper json, CreatioProperties properties, CallbackAllowList allowList,
            MeterRegistry meters) {
        this.json = json;
        this.properties = properties;
        this.allowList = allowList;
        this.meters = meters;
        this.circuits = new CreatioCircuits(properties.circuit(), meters);
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** The circuit of each Creatio this process called. */
    public List<CreatioCircuit> circuits() {
        return circuits.circuits();
    }

    /** {@code ProcessFullEmail}: returns only when Creatio answered 2xx. */
    public void deliver(SynchronizationCredentials mailbox, List<Email> emails) throws CreatioCallFailedException {
        post(mailbox, "ProcessFullEmail",
                new FullEmailDelivery(emails, FullEmailDelivery.SubscriptionInfo.of(mailbox, 0)));
    }

    /**
     * {@code ProcessFullEmail} for one email whose attachments are streamed: the body is written to a
     * temporary file in {@code workDirectory}, each attachment Base64-encoded from its stream as it is
     * written, and the file is POSTed, so the heap never holds the attachments or the JSON whole. The
     * JSON is the same as {@link #deliver(SynchronizationCredentials, List)} writes for the email with
     * the streamed attachments after {@code email.Attachments()}. Returns only when Creatio answered 2xx.
     *
     * @throws IOException when an attachment cannot be read or the temporary file cannot be written
     */
    public void deliver(SynchronizationCredentials mailbox, Email email, List<StreamedAttachment> attachments,
            Path workDirectory) throws CreatioCallFailedException, IOException {
        Path body = Files.createTempFile(workDirectory, "process-full-email-", ".json");
        try {
            try (OutputStream out = Files.newOutputStream(body)) {
                writeFullEmailDelivery(out, mailbox, email, attachments);
            }
            post(mailbox, "ProcessFullEmail", HttpRequest.BodyPublishers.ofFile(body));
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /**
     * Writes {@link FullEmailDelivery} field by field as the mapper names and orders them, except that
     * the Base64Data of the streamed attachments is encoded from their streams (standard alphabet,
     * padded, no line breaks, like {@code byte[]} serialization). Public so that the conversion
     * benchmark measures the JSON delivery writes.
     */
    public void writeFullEmailDelivery(OutputStream out, SynchronizationCredentials mailbox, Email email,
            List<StreamedAttachment> attachments) throws IOException {
        try (JsonGenerator generator = json.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeName("Emails");
            generator.writeStartArray();
            generator.writeStartObject();
            for (Map.Entry<String, JsonNode> field : json.valueToTree(email).properties()) {
                generator.writeName(field.getKey());
                if (field.getKey().equals("Attachments")) {
                    writeAttachments(generator, field.getValue(), attachments);
                } else {
                    generator.writeTree(field.getValue());
                }
            }
            generator.writeEndObject();
            generator.writeEndArray();
            generator.writeName("SubscriptionInfo");
            generator.writePOJO(FullEmailDelivery.SubscriptionInfo.of(mailbox, 0));
            generator.writeEndObject();
        }
    }

    private void writeAttachments(JsonGenerator generator, JsonNode inMemory, List<StreamedAttachment> streamed)
            throws IOException {
        generator.writeStartArray();
        for (JsonNode attachment : inMemory) {
            generator.writeTree(attachment);
        }
        for (StreamedAttachment attachment : streamed) {
            generator.writeStartObject();
            JsonNode fields = json.valueToTree(new EmailAttachment(attachment.Id(), attachment.Name(), "",
                    attachment.IsInline()));
            for (Map.Entry<String, JsonNode> field : fields.properties()) {
                generator.writeName(field.getKey());
                if (field.getKey().equals("Base64Data")) {
                    writeBase64Data(generator, attachment.content());
                } else {
                    generator.writeTree(field.getValue());
                }
            }
            generator.writeEndObject();
        }
        generator.writeEndArray();
    }

    private static void writeBase64Data(JsonGenerator generator, StreamedAttachment.Content content)
            throws IOException {
        try (InputStream base64 = content.openBase64()) {
            if (base64 != null) {
                generator.writeString(new InputStreamReader(base64, StandardCharsets.US_ASCII), -1);
                return;
            }
        }
        try (InputStream decoded = content.open()) {
            generator.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, decoded, -1);
        }
    }

    /** Whether the mailbox's new mail goes to {@code NewEmail} ({@link CreatioProperties#announcesNewEmail}). */
    public boolean announcesNewEmail(SynchronizationCredentials mailbox) {
        return properties.announcesNewEmail(mailbox);
    }

    /**
     * {@code NewEmail}, the legacy Exchange callback: the ids of new items, which Creatio loads over
     * EWS itself. Returns only when Creatio answered 2xx.
     */
    public void announceNewEmail(SynchronizationCredentials mailbox, List<String> itemIds)
            throws CreatioCallFailedException {
        post(mailbox, "NewEmail", NewEmailEvent.of(mailbox, itemIds, DotNetTicks.of(java.time.Instant.now())));
    }

    /** {@code ProcessMailboxState}: tells Creatio whether the mailbox can be reached. */
    public void reportMailboxState(SynchronizationCredentials mailbox, MailboxStateReport report)
            throws CreatioCallFailedException {
        post(mailbox, "ProcessMailboxState", report);
    }

    /**
     * {@code RefreshToken}: Creatio calls {@code /api/listeners/update} with a fresh token before it
     * answers, so the caller must hold nothing that {@code /update} needs.
     */
    public void requestTokenRefresh(SynchronizationCredentials mailbox) throws CreatioCallFailedException {
        post(mailbox, "RefreshToken", TokenRefreshRequest.of(mailbox));
    }

    /**
     * The URI of one of Creatio's listener operations: {@code BpmEndpoint} names
     * {@code …/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail}; other operations are its
     * siblings.
     */
    public static URI operationUri(String bpmEndpoint, String operation) {
        if (bpmEndpoint == null || bpmEndpoint.isBlank()) {
            throw new IllegalArgumentException("BpmEndpoint is empty");
        }
        URI endpoint = URI.create(bpmEndpoint.trim());
        if (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equalsIgnoreCase("http") || endpoint.getScheme().equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("BpmEndpoint is not an absolute http(s) URL");
        }
        String path = endpoint.getPath() == null ? "" : endpoint.getPath();
        String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "/";
        return endpoint.resolve(parent + operation);
    }

    /** {@code email_listener_creatio_responses_total{operation,status}}: the status code, or "error". */
    private void count(String operation, String status) {
        meters.counter("email.listener.creatio.responses", "operation", operation, "status", status).increment();
    }

    private void post(SynchronizationCredentials mailbox, String operation, Object body)
            throws CreatioCallFailedException {
        post(mailbox, operation, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    }

    private void post(SynchronizationCredentials mailbox, String operation, HttpRequest.BodyPublisher body)
            throws CreatioCallFailedException {
        URI uri;
        try {
            uri = operationUri(mailbox.BpmEndpoint(), operation);
            allowList.check(uri);
        } catch (IllegalArgumentException e) {
            throw new CreatioCallFailedException(operation + ": " + e.getMessage(), 0, e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(properties.requestTimeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(body)
                .build();
        CreatioProperties.Retry retry = properties.retry();
        for (int attempt = 1;; attempt++) {
            try {
                call(request, operation);
                return;
            } catch (CreatioCallFailedException e) {
                if (attempt >= retry.attempts() || !retryable(e)) {
                    throw e;
                }
                Duration wait = Backoff.exponential(retry.initialDelay(), retry.maxDelay(), attempt);
                log.debug("{}; try {} of {} in {} ms", e.getMessage(), attempt + 1, retry.attempts(), wait.toMillis());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Worth trying again at once: no answer (but not a timeout: a Creatio that takes the request
     * timeout is in trouble, and the call may have been processed), a 5xx or a 429. Not when the
     * circuit is open, nor Creatio's own exceptions (400).
     */
    private static boolean retryable(CreatioCallFailedException e) {
        if (e instanceof CircuitOpenException || e.getCause() instanceof HttpTimeoutException
                || e.getCause() instanceof InterruptedException) {
            return false;
        }
        return e.status() == 0 || e.status() >= 500 || e.status() == 429;
    }

    /** One HTTP exchange, through the host's circuit. */
    private void call(HttpRequest request, String operation) throws CreatioCallFailedException {
        // Named in failures, which reach logs and the operator view: never with a user:password@.
        String uri = SynchronizationCredentials.withoutUserInfo(request.uri().toString());
        CreatioCircuits.Permit permit = circuits.acquire(request.uri());
        if (permit == null) {
            count(operation, "circuit-open");
            throw new CircuitOpenException(operation + " to " + uri
                    + " not attempted: Creatio failed too many of the last calls, its circuit is open");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            permit.record(0);
            count(operation, "error");
            throw new CreatioCallFailedException(operation + " to " + uri + " failed: " + e, 0, e);
        } catch (InterruptedException e) {
            permit.release();
            Thread.currentThread().interrupt();
            throw new CreatioCallFailedException(operation + " to " + uri + " interrupted", 0, e);
        }
        int status = response.statusCode();
        permit.record(status);
        count(operation, String.valueOf(status));
        if (status / 100 != 2) {
            String excerpt = response.body() == null ? "" : response.body();
            if (excerpt.length() > BODY_EXCERPT) {
                excerpt = excerpt.substring(0, BODY_EXCERPT) + "…";
            }
            throw new CreatioCallFailedException(
                    operation + " to " + uri + " answered HTTP " + status + ": " + excerpt, status, null);
        }
        log.debug("{} to {} answered {}", operation, uri, status);
    }

    /** The call did not go out: the host's circuit is open. */
    public static final class CircuitOpenException extends CreatioCallFailedException {

        CircuitOpenException(String message) {
            super(message, 0, null);
        }
    }
}
