package org.emaillistener.primary.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

import org.emaillistener.primary.availability.CreatioReachability;
import org.emaillistener.primary.availability.CreatioUnreachableException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

/**
 * {@code /api/availability/app}: can the listener reach Creatio? The body is a bare JSON string, the
 * callback URL ({@code …/ExchangeListenerService.svc/ProcessFullEmail}); the answer Creatio looks for
 * is the raw text {@code pong}, without quotes or newline.
 */
@RestController
@RequestMapping("/api/availability")
class AvailabilityController {

    private static final String PONG = "pong";

    private final CreatioReachability reachability;
    private final ApiProperties properties;
    private final CredentialsValidation validation;

    public AvailabilityController(CreatioReachability reachability, ApiProperties properties,
            CredentialsValidation validation) {
        this.reachability = reachability;
        this.properties = properties;
        this.validation = validation;
    }

    /**
     * The Content-Type is set here rather than negotiated, so that an {@code Accept: application/json}
     * cannot turn {@code pong} into a 406 or a quoted JSON string.
     */
    @PostMapping("/app")
    public ResponseEntity<String> app(@RequestBody JsonNode body) throws CreatioUnreachableException {
        URI callback = callbackUrl(body);
        validation.callbackAllowed(callback, "The callback URL");
        reachability.probe(callback, properties.availabilityTimeout());
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(PONG);
    }

    /** 502 when Creatio could not be reached, 504 when it did not answer in time. */
    @ExceptionHandler(CreatioUnreachableException.class)
    ResponseEntity<Map<String, String>> unreachable(CreatioUnreachableException e) {
        return ApiErrors.answer(e.timedOut() ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY, e.getMessage());
    }

    private static URI callbackUrl(JsonNode body) {
        if (!body.isString()) {
            throw new BadRequestException("Expected a JSON string: Creatio's callback URL");
        }
        String value = body.asString().trim();
        try {
            URI uri = new URI(value);
            if (uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Answered below like any other string that is no callback URL.
        }
        throw new BadRequestException("Not an absolute http(s) URL: \"" + abbreviate(value) + "\"");
    }

    private static String abbreviate(String value) {
        return value.length() > 100 ? value.substring(0, 100) + "…" : value;
    }
}
