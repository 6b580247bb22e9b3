package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS front for a plain loopback server (e.g. GreenMail's IMAP), with GreenMail's self-signed
 * certificate: what a mail server with a certificate nobody vouches for looks like. Failed
 * handshakes end quietly here, not on the mail server's threads.
 */
public class TlsProxy implements AutoCloseable {

    private final SSLServerSocket server;
    private final int targetPort;

    public TlsProxy(int targetPort) throws Exception {
        this.targetPort = targetPort;
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsProxy.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
            keyStore.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tls-proxy").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket client = (SSLSocket) server.accept();
                Thread.ofVirtual().start(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(SSLSocket client) {
        try (client; Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            client.startHandshake();
            Thread upstream = Thread.ofVirtual().start(() -> pump(client, target));
            pump(target, client);
            upstream.join();
        } catch (IOException | InterruptedException e) {
            // A refused handshake or a closed peer ends this connection only.
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // The other direction notices the closed socket too.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
