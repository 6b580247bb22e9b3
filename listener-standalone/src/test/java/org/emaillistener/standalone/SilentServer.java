package org.emaillistener.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server that accepts TCP connections and never says a word: neither an IMAP greeting nor an
 * HTTP answer. A connect timeout does not help against it.
 */
final class SilentServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    SilentServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("silent-server").start(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    List<Socket> accepted() {
        return List.copyOf(accepted);
    }

    /** Whether the client closed this connection (within 2 s). */
    static boolean closedByTheClient(Socket socket) throws IOException {
        socket.setSoTimeout(2000);
        try (InputStream in = socket.getInputStream()) {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** A loopback port nothing listens on: connections to it are refused. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }
}
