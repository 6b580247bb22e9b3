package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Wrong values fail at install, with a message that says what to change. */
class HelmValuesValidationTest {

    private static final String KEY = "encryption.key";
    private static final String A_KEY = "9tz6pKWd7rCCmcShQg8udupbTAZ0J+CvUUqqweBrJhg=";

    @Test
    void refusesAnInstallWithoutTheCallbackAllowList() {
        assertThatThrownBy(() -> render(Map.of(KEY, A_KEY)))
                .hasMessageContaining("callbacks.allowedHosts is required")
                .hasMessageContaining("--set callbacks.allowedHosts={crm.example.com}");
    }

    @Test
    void refusesAnInstallWithoutTheEncryptionKey() {
        assertThatThrownBy(() -> render(Map.of("callbacks.allowedHosts[0]", "crm.example.com")))
                .hasMessageContaining("encryption.key or encryption.existingSecret is required")
                .hasMessageContaining("openssl rand -base64 32");
    }

    @Test
    void refusesAWrongTypeThroughTheSchema() {
        assertThatThrownBy(() -> render(Map.of("replicaCount", "three"), REQUIRED))
                .hasMessageContaining("schema")
                .hasMessageContaining("/replicaCount")
                .hasMessageContaining("want integer");
    }

    @Test
    void refusesAMisspelledValueThroughTheSchema() {
        assertThatThrownBy(() -> render(Map.of("replicacount", 3), REQUIRED))
                .hasMessageContaining("additional properties 'replicacount' not allowed");
    }

    @Test
    void refusesAUrlWhereAHostNameBelongs() {
        assertThatThrownBy(() -> render(Map.of("callbacks.allowedHosts[0]", "https://crm.example.com"), REQUIRED))
                .hasMessageContaining("/callbacks/allowedHosts/0");
    }

    @Test
    void refusesAnEncryptionKeyThatIsNot32BytesOfBase64() {
        assertThatThrownBy(() -> render(Map.of(KEY, "not-a-key"), REQUIRED))
                .hasMessageContaining("/encryption/key");
    }

    @Test
    void refusesAPrimaryGraceShorterThanTheLeaseRelease() {
        assertThatThrownBy(() -> render(Map.of("primary.terminationGracePeriodSeconds", 5), REQUIRED))
                .hasMessageContaining("/primary/terminationGracePeriodSeconds");
    }
}
