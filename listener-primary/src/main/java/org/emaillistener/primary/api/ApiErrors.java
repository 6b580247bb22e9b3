package org.emaillistener.primary.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.emaillistener.primary.ownership.RegistrationLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Every failure of a request is answered with a JSON body {@code {"error":…,"message":…}} that
 * names the problem: never a stack trace, never a secret.
 */
@RestControllerAdvice
class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(BadRequestException.class)
    ResponseEntity<Map<String, String>> badRequest(BadRequestException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(RegistrationLimitException.class)
    ResponseEntity<Map<String, String>> registrationLimit(RegistrationLimitException e) {
        return answer(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, String>> unreadable(HttpMessageNotReadableException e) {
        return answer(HttpStatus.BAD_REQUEST, describe(e));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, String>> mediaType(HttpMediaTypeNotSupportedException e) {
        return answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + e.getContentType()
                + " is not supported: send application/json");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, String>> method(HttpRequestMethodNotSupportedException e) {
        return answer(HttpStatus.METHOD_NOT_ALLOWED, e.getMethod() + " is not supported here");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, String>> notFound(NoResourceFoundException e) {
        return answer(HttpStatus.NOT_FOUND, "No such endpoint: /" + e.getResourcePath());
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, String>> status(ResponseStatusException e) {
        return answer(HttpStatus.valueOf(e.getStatusCode().value()), e.getReason());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, String>> argument(MethodArgumentTypeMismatchException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getName() + " is not a valid "
                + (e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, String>> unexpected(Exception e) {
        log.error("Request failed unexpectedly", e);
        return answer(HttpStatus.INTERNAL_SERVER_ERROR, "Unexpected error; the service log has the details");
    }

    static ResponseEntity<Map<String, String>> answer(HttpStatus status, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", status.getReasonPhrase());
        body.put("message", message);
        return ResponseEntity.status(status).body(body);
    }

    /**
     * Jackson's words name Java types ({@code java.util.ArrayList<org.emaillistener…>}): the caller reads
     * the wire's names instead, an array or a JSON type, not the listener's classes.
     */
    static String withoutJavaNames(String message) {
        if (message == null) {
            return "";
        }
        String unqualified = JAVA_PACKAGE.matcher(message).replaceAll("");
        return COLLECTION.matcher(unqualified).replaceAll("array of $1").replace("`", "");
    }

    private static final Pattern JAVA_PACKAGE = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+(?=[A-Z])");
    private static final Pattern COLLECTION = Pattern.compile("\\b(?:ArrayList|List|Collection|Set)<([A-Za-z0-9_]+)>");

    private static String describe(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyLimit.BodyTooLargeException tooLarge) {
                return tooLarge.getMessage();
            }
        }
        if (e.getCause() instanceof StreamReadException malformed) {
            return "Malformed JSON: " + withoutJavaNames(malformed.getOriginalMessage());
        }
        if (e.getCause() instanceof JacksonException mapping) {
            String path = mapping.getPath().stream()
                    .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return (path.isEmpty() ? "" : "Field " + path.replace(".[", "[") + ": ")
                    + withoutJavaNames(firstLine(mapping.getOriginalMessage()));
        }
        return "The request body is missing or is not JSON";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid value";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
