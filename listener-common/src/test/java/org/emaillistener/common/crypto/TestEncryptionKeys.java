package org.emaillistener.common.crypto;

/** Fixed AES-256 keys for tests (base64 of 32 bytes), with distinct key ids. */
public final class TestEncryptionKeys {

    public static final String OLD_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    public static final String NEW_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    public static final String OTHER_KEY = "cm90YXRlZC1rZXktZm9yLXRoZS1ydW5uaW5nLXRlc3Q=";

    private TestEncryptionKeys() {
    }

    public static EncryptionProperties key(String current) {
        return new EncryptionProperties(current, null, false);
    }

    public static EncryptionProperties rotating(String current, String previous) {
        return new EncryptionProperties(current, previous, false);
    }
}
