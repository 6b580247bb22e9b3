package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay to a server (Redis, RabbitMQ, a mail server) that a test can cut: every open
 * connection is dropped and new ones are refused until {@link #restore()}, as when the server
 * restarts or the network fails.
 */
public class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ServerSocket server;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = listen(0);
        this.port = server.getLocalPort();
    }

    public int port() {
        return port;
    }

    /** How many connections clients opened through the proxy so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Drops every connection and refuses new ones. */
    public synchronized void cut() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() throws IOException {
        if (server.isClosed()) {
            server = listen(port);
        }
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        Thread.ofVirtual().name("tcp-proxy-" + targetPort).start(() -> accept(socket));
        return socket;
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        open.add(client);
        Socket target = null;
        try {
            target = new Socket(targetHost, targetPort);
            open.add(target);
            Socket upstreamTarget = target;
            Thread upstream = Thread.ofVirtual().start(() -> pump(client, upstreamTarget));
            pump(target, client);
            upstream.join();
        } catch (IOException | InterruptedException e) {
            // The connection ends; the other side sees it closed.
        } finally {
            closeQuietly(client);
            closeQuietly(target);
        }
    }

    private void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // Cut, or closed by a peer.
        } finally {
            try {
                to.close();
                from.close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
