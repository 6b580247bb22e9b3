package org.emaillistener.primary.api;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses request bodies larger than {@code listener.api.max-body-size} with HTTP 400: by the
 * declared Content-Length before reading, and by counting for chunked bodies. Sending an email
 * carries its attachments, so {@code /apiv2/email/send} has a limit of its own,
 * {@code listener.api.max-send-body-size}.
 */
@Component
class RequestBodyLimit extends OncePerRequestFilter {

    private static final String SEND_EMAIL_PATH = "/apiv2/email/send";

    private final Limit limit;
    private final Limit sendLimit;

    public RequestBodyLimit(ApiProperties properties) {
        this.limit = new Limit(properties.maxBodySize().toBytes(), "listener.api.max-body-size");
        this.sendLimit = new Limit(properties.maxSendBodySize().toBytes(), "listener.api.max-send-body-size");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Limit applicable = limitOf(request);
        if (request.getContentLengthLong() > applicable.maxBytes()) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getWriter().write("{\"error\":\"Bad Request\",\"message\":\"" + applicable.tooLarge() + "\"}");
            return;
        }
        chain.doFilter(new LimitedRequest(request, applicable), response);
    }

    private Limit limitOf(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals(SEND_EMAIL_PATH) ? sendLimit : limit;
    }

    /** A body limit and the property that sets it, which the refusal names. */
    private record Limit(long maxBytes, String property) {

        String tooLarge() {
            return "The request body is larger than " + maxBytes + " bytes (" + property + ")";
        }
    }

    /** Thrown while reading a body that turns out larger than the limit. */
    static class BodyTooLargeException extends IOException {

        BodyTooLargeException(String message) {
            super(message);
        }
    }

    private static class LimitedRequest extends HttpServletRequestWrapper {

        private final Limit limit;
        private ServletInputStream limited;

        LimitedRequest(HttpServletRequest request, Limit limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (limited == null) {
                limited = new LimitedStream(super.getInputStream(), limit);
            }
            return limited;
        }
    }

    private static class LimitedStream extends ServletInputStream {

        private final ServletInputStream in;
        private final Limit limit;
        private long read;

        LimitedStream(ServletInputStream in, Limit limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > limit.maxBytes()) {
                throw new BodyTooLargeException(limit.tooLarge());
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
