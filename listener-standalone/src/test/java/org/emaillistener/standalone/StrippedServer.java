package org.emaillistener.standalone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An IMAP or SMTP server as an attacker on the path presents it after stripping the STARTTLS offer
 * from the real server's capabilities: it speaks in clear text, offers a plain login and keeps every
 * line the client sends, so a test can tell whether a password went over the wire.
 */
final class StrippedServer implements AutoCloseable {

    enum Protocol { IMAP, SMTP }

    private final ServerSocket server;
    private final Protocol protocol;
    private final List<String> received = new CopyOnWriteArrayList<>();

    StrippedServer(Protocol protocol) throws IOException {
        this.protocol = protocol;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("stripped-" + protocol).start(() -> {
            try {
                while (true) {
                    Socket client = server.accept();
                    Thread.ofVirtual().start(() -> converse(client));
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every line the clients sent, as sent. */
    List<String> received() {
        return List.copyOf(received);
    }

    private void converse(Socket client) {
        try (client; var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = client.getOutputStream()) {
            write(out, protocol == Protocol.IMAP ? "* OK IMAP4rev1 ready" : "220 mx.example.com ESMTP");
            for (String line; (line = in.readLine()) != null;) {
                received.add(line);
                if (protocol == Protocol.IMAP) {
                    String[] words = line.split(" ", 3);
                    String tag = words[0];
                    String command = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
                    switch (command) {
                        case "CAPABILITY" -> write(out, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done");
                        case "LOGOUT" -> {
                            write(out, "* BYE\r\n" + tag + " OK bye");
                            return;
                        }
                        default -> write(out, tag + " NO [AUTHENTICATIONFAILED] no");
                    }
                } else {
                    String command = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                    switch (command) {
                        case "EHLO" -> write(out, "250-mx.example.com\r\n250 AUTH PLAIN LOGIN");
                        case "QUIT" -> {
                            write(out, "221 bye");
                            return;
                        }
                        default -> write(out, "535 5.7.8 no");
                    }
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void write(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
