package org.emaillistener.common.graph;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCredential;

/**
 * The certificate an app registration proves itself with: msal4j signs a client assertion (RS256) with
 * the private key, and Microsoft Entra checks it against the certificate uploaded to the registration.
 * Read the ways a Kubernetes Secret carries one: a PKCS#12 file, or PEM (a {@code kubernetes.io/tls}
 * Secret's {@code tls.crt} and {@code tls.key}, or one file holding both).
 *
 * @param key the RSA private key
 * @param chain the certificate of that key first, then any intermediates the files hold
 */
record CertificateCredential(PrivateKey key, List<X509Certificate> chain) {

    private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    /** rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, as PKCS#8 names an RSA key's algorithm. */
    private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

    /**
     * Reads the certificate and its key. {@code keyFile} is null when the certificate's file holds the
     * key; {@code password} is the PKCS#12 file's, or null.
     */
    static CertificateCredential read(Path certificateFile, Path keyFile, String password)
            throws IOException, GeneralSecurityException {
        byte[] certificate = Files.readAllBytes(certificateFile);
        String text = new String(certificate, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN ")) {
            if (keyFile != null) {
                throw new GeneralSecurityException(certificateFile + " is no PEM, so it is taken as PKCS#12, which"
                        + " holds its own key: a separate key file is for PEM only");
            }
            return fromPkcs12(certificate, password, certificateFile);
        }
        if (keyFile != null) {
            text = text + "\n" + new String(Files.readAllBytes(keyFile), StandardCharsets.US_ASCII);
        }
        return fromPem(text, keyFile == null ? certificateFile.toString() : certificateFile + " and " + keyFile);
    }

    /** The credential msal4j signs client assertions with. */
    IClientCredential asMsal() {
        return ClientCredentialFactory.createFromCertificateChain(key, chain);
    }

    /** The SHA-1 thumbprint in hex, as the Azure portal lists an app registration's certificates. */
    String thumbprint() {
        try {
            return HexFormat.of().withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(chain.getFirst().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CertificateCredential fromPkcs12(byte[] file, String password, Path path)
            throws IOException, GeneralSecurityException {
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new ByteArrayInputStream(file)) {
            store.load(in, secret);
        }
        List<String> keyAliases = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keyAliases.add(alias);
            }
        }
        if (keyAliases.size() != 1) {
            throw new GeneralSecurityException("found " + keyAliases.size() + " private keys in " + path
                    + "; the listener needs exactly one");
        }
        String alias = keyAliases.getFirst();
        List<X509Certificate> certificates = new ArrayList<>();
        for (var certificate : store.getCertificateChain(alias)) {
            certificates.add((X509Certificate) certificate);
        }
        return matched((PrivateKey) store.getKey(alias, secret), certificates, path.toString());
    }

    private static CertificateCredential fromPem(String text, String source) throws GeneralSecurityException {
        List<PrivateKey> keys = new ArrayList<>();
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Matcher block = PEM_BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            String body = block.group(2);
            if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type:")) {
                throw new GeneralSecurityException("the private key in " + source + " is encrypted: give it"
                        + " unencrypted (the Secret it is mounted from protects it) or as PKCS#12 with a password");
            }
            byte[] der = Base64.getMimeDecoder().decode(body.strip());
            switch (type) {
                case "CERTIFICATE" -> certificates.add(
                        (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der)));
                case "PRIVATE KEY" -> keys.add(rsaKey(der, source));
                case "RSA PRIVATE KEY" -> keys.add(rsaKey(pkcs8(der), source));
                default -> {
                    // Other blocks (EC PARAMETERS, a CSR) play no part.
                }
            }
        }
        if (keys.size() != 1) {
            throw new GeneralSecurityException("found " + keys.size() + " PEM private keys (BEGIN PRIVATE KEY or"
                    + " BEGIN RSA PRIVATE KEY) in " + source + "; the listener needs exactly one, in the"
                    + " certificate's file or in the file certificate-key-path names");
        }
        return matched(keys.getFirst(), certificates, source);
    }

    /** The key with its certificate first: the one whose public key is the key's. */
    private static CertificateCredential matched(PrivateKey key, List<X509Certificate> certificates, String source)
            throws GeneralSecurityException {
        if (!(key instanceof RSAPrivateKey rsa)) {
            throw new GeneralSecurityException("the private key in " + source + " is " + key.getAlgorithm()
                    + "; msal4j signs client assertions RS256, which needs an RSA key");
        }
        for (X509Certificate certificate : certificates) {
            if (certificate.getPublicKey() instanceof RSAPublicKey pub && pub.getModulus().equals(rsa.getModulus())) {
                List<X509Certificate> chain = new ArrayList<>(certificates);
                chain.remove(certificate);
                chain.addFirst(certificate);
                return new CertificateCredential(key, List.copyOf(chain));
            }
        }
        throw new GeneralSecurityException("none of the " + certificates.size() + " certificates in " + source
                + " is the private key's");
    }

    private static PrivateKey rsaKey(byte[] pkcs8, String source) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("the private key in " + source + " is no RSA key"
                    + " (msal4j signs client assertions RS256)", e);
        }
    }

    /**
     * A PKCS#1 RSA key ({@code BEGIN RSA PRIVATE KEY}, as cert-manager and older OpenSSL write it) as
     * PKCS#8, which the JDK reads: the key wrapped with its algorithm.
     */
    private static byte[] pkcs8(byte[] pkcs1) {
        return der(0x30, new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, der(0x04, pkcs1));
    }

    /** A DER element: tag, definite length, content. */
    private static byte[] der(int tag, byte[]... content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : content) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (body.size() < 0x80) {
            out.write(body.size());
        } else {
            byte[] length = BigInteger.valueOf(body.size()).toByteArray();
            int skip = length[0] == 0 ? 1 : 0;
            out.write(0x80 | (length.length - skip));
            out.write(length, skip, length.length - skip);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
