package org.emaillistener.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Calls the listener's REST API the way Creatio does: POST, JSON, no authentication. */
record ListenerApi(int port) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    String stateOf(String mailboxId) {
        HttpResponse<String> response = post("/api/listeners/subscriptionsstate", "[\"" + mailboxId + "\"]");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("subscriptionsstate answered " + response.statusCode());
        }
        int at = response.body().indexOf("\"State\":\"");
        return response.body().substring(at + 9, response.body().indexOf('"', at + 9));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
