package org.emaillistener.primary.operator.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.emaillistener.primary.operator.OperatorActions;
import org.emaillistener.primary.operator.OperatorProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Lets in whoever proves the operator key: as {@code X-Api-Key} or a bearer token (scripts), or as the
 * password of HTTP Basic (a browser; the user name is who the actions are logged for). A browser sends
 * Basic credentials by itself, to any page that makes it post here, so a change asked with them must
 * also carry {@code X-Requested-With: operator-console}, which a cross-site form cannot set. Every
 * answer forbids framing, caching and scripts from elsewhere.
 */
class OperatorAccess implements HandlerInterceptor {

    static final String OPERATOR = OperatorAccess.class.getName() + ".operator";
    static final String CONSOLE_HEADER = "X-Requested-With";
    static final String CONSOLE = "operator-console";

    private final OperatorProperties properties;

    OperatorAccess(OperatorProperties properties) {
        this.properties = properties;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        response.setHeader("Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (!properties.enabled()) {
            refuse(response, HttpServletResponse.SC_NOT_FOUND, "The operator console is off: set listener.operator.api-key");
            return false;
        }
        String address = request.getRemoteAddr();
        String key = request.getHeader("X-Api-Key");
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        OperatorActions.Operator operator = null;
        boolean ambient = false;
        if (key != null) {
            operator = matches(key) ? new OperatorActions.Operator("api-key", address) : null;
        } else if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            operator = matches(authorization.substring(7).trim()) ? new OperatorActions.Operator("api-key", address)
                    : null;
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            operator = basic(authorization.substring(6).trim(), address);
            ambient = true;
        }
        if (operator == null) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"email-listener operator console\", charset=\"UTF-8\"");
            refuse(response, HttpServletResponse.SC_UNAUTHORIZED,
                    "The operator key is missing or wrong (X-Api-Key, a bearer token, or the password of HTTP Basic)");
            return false;
        }
        if (ambient && !"GET".equals(request.getMethod()) && !CONSOLE.equals(request.getHeader(CONSOLE_HEADER))) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN,
                    "A change asked with HTTP Basic must carry " + CONSOLE_HEADER + ": " + CONSOLE);
            return false;
        }
        request.setAttribute(OPERATOR, operator);
        return true;
    }

    /** The refusal with its reason: the management server's error page leaves reasons out. */
    private static void refuse(HttpServletResponse response, int status, String reason) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"status\":" + status + ",\"message\":\"" + reason.replace("\"", "\\\"") + "\"}");
    }

    private OperatorActions.Operator basic(String encoded, String address) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !matches(decoded.substring(colon + 1))) {
            return null;
        }
        return new OperatorActions.Operator(name(decoded.substring(0, colon)), address);
    }

    /** The name as given, without what could forge a log line, at most 64 characters. */
    static String name(String given) {
        String name = given.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().trim();
        if (name.isEmpty()) {
            return "operator";
        }
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    private boolean matches(String candidate) {
        return MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8),
                properties.apiKey().getBytes(StandardCharsets.UTF_8));
    }
}
