package org.emaillistener.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A key pair whose certificate names 127.0.0.1 (and localhost), as a public certificate names its
 * host, and a trust store holding that certificate alone, made at test time with the JDK's keytool:
 * for a fake ({@link FakeGraph#withKeyStore}) that a service process checks as it would the real
 * one, with the JDK's TLS against its {@code javax.net.ssl.trustStore}, host name included.
 *
 * @param keyStore the key pair, PKCS#12
 * @param trustStore the certificate alone, PKCS#12
 * @param password both stores'
 */
public record LoopbackCertificate(Path keyStore, Path trustStore, String password) {

    private static final String ALIAS = "loopback";
    private static final String PASSWORD = "loopback-tls";

    /** Makes the two stores in {@code directory} (created if missing), valid for two days. */
    public static LoopbackCertificate create(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        LoopbackCertificate made = new LoopbackCertificate(directory.resolve("loopback.p12").toAbsolutePath(),
                directory.resolve("loopback-trust.p12").toAbsolutePath(), PASSWORD);
        Path certificate = directory.resolve("loopback.cer");
        Keytool.run("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", made.keyStore.toString(), "-storepass", PASSWORD);
        Keytool.run("-exportcert", "-alias", ALIAS, "-keystore", made.keyStore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
        Keytool.run("-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", made.trustStore.toString(), "-storepass", PASSWORD);
        return made;
    }

    /** The JVM options that make a process trust this certificate, and no other. */
    public List<String> trustStoreOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + password,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }
}
