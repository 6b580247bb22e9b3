package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-signed RSA certificate for an app registration, made at test time by the JDK's keytool (no
 * key material is committed), and written the ways operators mount one: a PKCS#12 file, one PEM file
 * with certificate and key, or a {@code kubernetes.io/tls} Secret's {@code tls.crt} and {@code tls.key}.
 * Two are made once per test run: one a test registers with the fake Entra, one no registration has.
 */
public record TestCertificate(X509Certificate certificate, PrivateKey key, Path pkcs12, String password) {

    private static final String ALIAS = "app-registration";
    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    /** The certificate a test registers with {@link FakeGraph#addTenantWithCertificate}. */
    public static TestCertificate registered() {
        return Made.REGISTERED;
    }

    /** A certificate of no app registration. */
    public static TestCertificate unregistered() {
        return Made.UNREGISTERED;
    }

    /** Made on first use, in a directory removed when the JVM exits. */
    private static final class Made {
        static final Path DIRECTORY = directory();
        static final TestCertificate REGISTERED = create("registered", "registered-p12-password");
        static final TestCertificate UNREGISTERED = create("unregistered", "unregistered-p12-password");

        private static Path directory() {
            try {
                Path directory = Files.createTempDirectory("app-registrations");
                directory.toFile().deleteOnExit();
                return directory;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static TestCertificate create(String name, String password) {
        Path pkcs12 = Made.DIRECTORY.resolve(name + ".p12");
        pkcs12.toFile().deleteOnExit();
        try {
            Keytool.run("-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", ALIAS, "-dname", "CN=" + name,
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", pkcs12.toString(),
                    "-storepass", password, "-keypass", password, "-noprompt");
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pkcs12)) {
                store.load(in, password.toCharArray());
            }
            return new TestCertificate((X509Certificate) store.getCertificate(ALIAS),
                    (PrivateKey) store.getKey(ALIAS, password.toCharArray()), pkcs12, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One PEM file: the certificate, then its key (PKCS#8, {@code BEGIN PRIVATE KEY}). */
    public Path pem(Path file) throws IOException {
        return Files.writeString(file, certificatePem() + pem("PRIVATE KEY", key.getEncoded()));
    }

    /** A {@code kubernetes.io/tls} Secret's {@code tls.crt}. */
    public Path tlsCrt(Path file) throws IOException {
        return Files.writeString(file, certificatePem());
    }

    /** A {@code kubernetes.io/tls} Secret's {@code tls.key}, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) as cert-manager writes it. */
    public Path tlsKey(Path file) throws IOException {
        return Files.writeString(file, pem("RSA PRIVATE KEY", pkcs1()));
    }

    /** The SHA-1 thumbprint in hex, as the Azure portal and Entra's messages show it. */
    public String thumbprint() {
        return HexFormat.of().withUpperCase().formatHex(digest("SHA-1"));
    }

    /** A client assertion signed RS256 with this key, naming this certificate ({@code x5t#S256}). */
    public String clientAssertion(Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5t#S256", Base64.getUrlEncoder().withoutPadding().encodeToString(digest("SHA-256")));
        return SignedJwts.rs256(header, claims, key);
    }

    /** The same certificate, claimed by another key (a leaked certificate without its key). */
    public TestCertificate withKeyOf(TestCertificate other) {
        return new TestCertificate(certificate, other.key, pkcs12, password);
    }

    private String certificatePem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The PKCS#1 key inside the JDK's PKCS#8 encoding of it: what follows the outer SEQUENCE's header,
     * the version (3 bytes), the algorithm (15 bytes) and the OCTET STRING's header.
     */
    private byte[] pkcs1() {
        byte[] pkcs8 = key.getEncoded();
        int at = afterHeader(pkcs8, afterHeader(pkcs8, 0) + 3 + 15);
        return Arrays.copyOfRange(pkcs8, at, pkcs8.length);
    }

    private static int afterHeader(byte[] der, int at) {
        int length = der[at + 1] & 0xff;
        return at + 2 + (length < 0x80 ? 0 : length & 0x7f);
    }

    private static String pem(String type, byte[] der) {
        return String.join("\n", List.of("-----BEGIN " + type + "-----", PEM_BASE64.encodeToString(der),
                "-----END " + type + "-----", ""));
    }
}
