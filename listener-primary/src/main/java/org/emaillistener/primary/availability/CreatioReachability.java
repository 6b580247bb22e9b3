package org.emaillistener.primary.availability;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLException;

import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.creatio.CreatioProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends one GET to Creatio's callback URL. Any HTTP answer proves the way there works: the URL is
 * a WCF operation that takes POST, so Creatio answers a GET with 405 or 400, and a redirect (never
 * followed, as with the callbacks) is an answer too. Only no answer at all means unreachable.
 */
@Component
public class CreatioReachability {

    private static final Logger log = LoggerFactory.getLogger(CreatioReachability.class);

    private final HttpClient http;

    public CreatioReachability(CreatioProperties creatio) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(creatio.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** Returns when {@code callback} answered with any HTTP status within {@code timeout}. */
    public void probe(URI callback, Duration timeout) throws CreatioUnreachableException {
        HttpRequest request = HttpRequest.newBuilder(callback).timeout(timeout).GET().build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            log.debug("Creatio at {} answered the availability check with {}", callback, response.statusCode());
        } catch (IOException e) {
            String where = "The listener cannot reach Creatio at " + hostAndPort(callback) + ": ";
            throw new CreatioUnreachableException(where + reason(e, timeout), e instanceof HttpTimeoutException);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The availability check of " + hostAndPort(callback) + " was interrupted",
                    e);
        }
    }

    /**
     * Why there was no answer. HttpClient reports an unknown host as an UnresolvedAddressException
     * and a refused connection as a ConnectException without a message (caused by a
     * ClosedChannelException), so the causes are named here rather than echoed.
     */
    private static String reason(IOException failure, Duration timeout) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "no connection within the connect timeout (listener.creatio.connect-timeout)";
        }
        if (failure instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms (listener.api.availability-timeout)";
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t instanceof SSLException) {
                return "the TLS handshake failed (" + describe(t) + ")";
            }
        }
        if (failure instanceof ConnectException) {
            return "no connection could be made (refused, or no route to the host)";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "the request failed (" + describe(root) + ")";
    }

    private static String hostAndPort(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    /** The failure's own words as one short line; never its Java type, which tells Creatio nothing. */
    private static String describe(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? "no reason given"
                : MailboxFailure.oneShortLine(t.getMessage());
    }
}
