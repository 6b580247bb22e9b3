package org.emaillistener.common.crypto;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says, instead of a stack trace, what to set when the encryption key is missing. */
class MissingEncryptionKeyFailureAnalyzer extends AbstractFailureAnalyzer<MissingEncryptionKeyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingEncryptionKeyException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set LISTENER_SECURITY_ENCRYPTION_KEY (listener.security.encryption-key) to the base64 of 32 random "
                        + "bytes, e.g. from `openssl rand -base64 32`, kept in a secret shared by every replica. "
                        + "Only for a throw-away setup: listener.security.allow-plaintext-credentials=true stores "
                        + "credentials unencrypted.",
                cause);
    }
}
