package org.emaillistener.primary.operator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of Redis that counts the commands its clients send (each RESP array is one
 * command, pipelined or not), so that a test can state what a request costs in Redis calls.
 */
final class CountingRedisProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String redisHost;
    private final int redisPort;
    private final AtomicLong commands = new AtomicLong();

    CountingRedisProxy(String redisHost, int redisPort) throws IOException {
        this.redisHost = redisHost;
        this.redisPort = redisPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    long commands() {
        return commands.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket redis = new Socket(redisHost, redisPort);
                Thread.ofVirtual().start(() -> count(client, redis));
                Thread.ofVirtual().start(() -> copy(redis, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Forwards what the client sends, counting one command per top-level array. */
    private void count(Socket client, Socket redis) {
        try (client; redis) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = new BufferedOutputStream(redis.getOutputStream());
            while (true) {
                String header = line(in, out);
                if (header == null) {
                    return;
                }
                if (header.startsWith("*")) {
                    int parts = Integer.parseInt(header.substring(1));
                    for (int i = 0; i < parts; i++) {
                        String bulk = line(in, out);
                        int length = Integer.parseInt(bulk.substring(1));
                        out.write(in.readNBytes(length + 2));
                    }
                    commands.incrementAndGet();
                }
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client or Redis closed the connection
        }
    }

    /** Reads one CRLF-terminated line and forwards it; null at the end of the stream. */
    private static String line(InputStream in, OutputStream out) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            out.write(c);
            if (c == '\n') {
                return line.toString().stripTrailing();
            }
            line.append((char) c);
        }
        return null;
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
