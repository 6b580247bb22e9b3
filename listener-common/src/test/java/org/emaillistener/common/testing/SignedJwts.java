package org.emaillistener.common.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** JWTs as Microsoft Entra and its clients write them: compact JWS, RS256 (RFC 7515, RFC 7518 §3.3). */
public final class SignedJwts {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SignedJwts() {
    }

    /** The header and claims as Base64url JSON, signed RS256 with {@code key}. */
    public static String rs256(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + b64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
