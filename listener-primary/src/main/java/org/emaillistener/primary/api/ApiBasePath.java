package org.emaillistener.primary.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The optional secret base path of Creatio's API ({@code listener.api.base-path}): Creatio sends no
 * credentials, but it keeps whatever path its {@code ExchangeListenerServiceUri} setting has before
 * {@code /api/listeners}. With {@code base-path=/k7Qx…}, Creatio is pointed at
 * {@code http://listener/k7Qx…/api/listeners}; {@code /k7Qx…/api/…} and {@code /k7Qx…/apiv2/…} are
 * served as {@code /api/…} and {@code /apiv2/…}, and the bare {@code /api/…} and {@code /apiv2/…}
 * answer 404, as does any other first segment. The segment is compared in constant time. Runs first,
 * so that every other filter (the body limits) sees the path without it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiBasePath extends OncePerRequestFilter {

    private final byte[] secret;

    public ApiBasePath(ApiProperties properties) {
        String basePath = properties.basePath() == null ? "" : properties.basePath().strip();
        while (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.indexOf('/', 1) >= 0)) {
            throw new IllegalArgumentException("listener.api.base-path must be one path segment such as /k7Qx9…, "
                    + "not " + basePath);
        }
        this.secret = basePath.isEmpty() ? null : basePath.substring(1).getBytes(StandardCharsets.UTF_8);
    }

    public boolean enabled() {
        return secret != null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (secret == null) {
            chain.doFilter(request, response);
            return;
        }
        String context = request.getContextPath();
        String path = request.getRequestURI().substring(context.length());
        if (isApi(path)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        int end = path.indexOf('/', 1);
        if (path.length() > 1 && end > 0) {
            byte[] segment = path.substring(1, end).getBytes(StandardCharsets.UTF_8);
            String rest = path.substring(end);
            if (MessageDigest.isEqual(segment, secret) && isApi(rest)) {
                chain.doFilter(new Stripped(request, context + rest, rest), response);
                return;
            }
            if (isApi(rest)) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private static boolean isApi(String path) {
        return path.startsWith("/api/") || path.startsWith("/apiv2/") || path.equals("/api") || path.equals("/apiv2");
    }

    /** The request as if it had come without the base path. */
    private static final class Stripped extends HttpServletRequestWrapper {

        private final String uri;
        private final String servletPath;

        Stripped(HttpServletRequest request, String uri, String servletPath) {
            super(request);
            this.uri = uri;
            this.servletPath = servletPath;
        }

        @Override
        public String getRequestURI() {
            return uri;
        }

        @Override
        public StringBuffer getRequestURL() {
            StringBuffer url = new StringBuffer();
            url.append(getScheme()).append("://").append(getServerName()).append(':').append(getServerPort()).append(uri);
            return url;
        }

        @Override
        public String getServletPath() {
            return servletPath;
        }

        @Override
        public String getPathInfo() {
            return null;
        }
    }
}
