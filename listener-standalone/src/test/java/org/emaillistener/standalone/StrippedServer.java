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
 * An IMAP or SMTP server in clear text that keeps every line the client sends, so a test can tell
 * whether a password went over the wire: as an attacker on the path presents the real server after
 * stripping its STARTTLS offer, or (IMAP, {@link #echoingLogins()}) as a careless server that refuses
 * every {@code LOGIN} and echoes it, password included, in its refusal.
 */
final class StrippedServer implements AutoCloseable {

    enum Protocol { IMAP, SMTP }

    /** An IMAP server that offers only LOGIN and echoes the refused command in its answer. */
    static StrippedServer echoingLogins() throws IOException {
        return new StrippedServer(Protocol.IMAP, true);
    }

    private final ServerSocket server;
    private final Protocol protocol;
    private final boolean echoesLogins;
    private final List<String> received = new CopyOnWriteArrayList<>();

    StrippedServer(Protocol protocol) throws IOException {
        this(protocol, false);
    }

    private StrippedServer(Protocol protocol, boolean echoesLogins) throws IOException {
        this.protocol = protocol;
        this.echoesLogins = echoesLogins;
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
                        case "CAPABILITY" -> write(out, "* CAPABILITY IMAP4rev1" + (echoesLogins ? "" : " AUTH=PLAIN")
                                + "\r\n" + tag + " OK done");
                        case "LOGIN" -> write(out, tag + " NO [AUTHENTICATIONFAILED] Invalid login: " + line);
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
