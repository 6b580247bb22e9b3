package org.emaillistener.common.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Dovecot (Debian's {@code dovecot-imapd} and {@code dovecot-lmtpd}) of a test's or benchmark's
 * own: its configuration, users ({@code u0} … {@code uN-1}, password
 * {@code secret}, a passwd-file with the PLAIN scheme) and maildirs live in a temporary directory;
 * IMAP and LMTP listen on loopback ports; {@code dovecot -F} runs as a child process until
 * {@link #close()}. Unlike GreenMail it spends no thread per connection: IMAP sessions share a few
 * processes ({@code client_limit}), so 10,000 idling clients cost it little.
 *
 * <p>As root (Dovecot refuses to run mail processes as root) the mail belongs to {@code nobody} and
 * Dovecot's own users are {@code dovecot}/{@code dovenull} from the Debian package; otherwise
 * everything runs as the current user.
 */
public final class Dovecot implements AutoCloseable {

    public static final String PASSWORD = "secret";

    private static final Path BINARY = Path.of("/usr/sbin/dovecot");

    private final Path home;
    private final int imapPort;
    private final int lmtpPort;
    private final Process process;

    private Dovecot(Path home, int imapPort, int lmtpPort, Process process) {
        this.home = home;
        this.imapPort = imapPort;
        this.lmtpPort = lmtpPort;
        this.process = process;
    }

    public static String user(int index) {
        return "u" + index;
    }

    public int imapPort() {
        return imapPort;
    }

    /** Whether Debian's Dovecot is installed here ({@code .ci/run} installs it). */
    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts a Dovecot with {@code users} users on free loopback ports and waits until it answers on IMAP. */
    public static Dovecot start(int users) throws IOException, InterruptedException {
        return start(users, freePort(), freePort());
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts a Dovecot with {@code users} users and waits until it answers on IMAP. */
    public static Dovecot start(int users, int imapPort, int lmtpPort) throws IOException, InterruptedException {
        Path binary = BINARY;
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("Dovecot is missing: apt-get install dovecot-imapd dovecot-lmtpd");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = Files.createTempDirectory("dovecot-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = Files.createDirectories(home.resolve("mail"));
        Path run = Files.createDirectories(home.resolve("run"));
        String mailUid = root ? "65534" : uid("-u");
        String mailGid = root ? "65534" : uid("-g");
        if (root) {
            new ProcessBuilder("chown", mailUid + ":" + mailGid, mail.toString()).inheritIO().start().waitFor();
        }
        StringBuilder passwd = new StringBuilder();
        for (int i = 0; i < users; i++) {
            passwd.append(user(i)).append(":{PLAIN}").append(PASSWORD).append(':').append(mailUid).append(':')
                    .append(mailGid).append("::").append(mail.resolve(user(i))).append("::\n");
        }
        Files.writeString(home.resolve("users"), passwd);
        String me = System.getProperty("user.name");
        Files.writeString(home.resolve("dovecot.conf"), """
                protocols = imap lmtp
                instance_name = listener-test-%1$d
                base_dir = %2$s
                state_dir = %2$s/state
                log_path = %3$s/dovecot.log
                listen = 127.0.0.1
                default_internal_user = %4$s
                default_login_user = %5$s
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN %3$s/users
                }
                userdb {
                  driver = passwd-file
                  args = %3$s/users
                }
                mail_location = maildir:~/Maildir
                first_valid_uid = 1
                mail_fsync = never
                # Debian's default (conf.d/20-imap.conf): the listener must live within it.
                mail_max_userip_connections = 10
                default_process_limit = 100
                default_client_limit = 1000
                service imap-login {
                  inet_listener imap {
                    address = 127.0.0.1
                    port = %1$d
                  }
                  inet_listener imaps {
                    port = 0
                  }
                  # High-performance mode: a few long-lived login processes, many logins each.
                  service_count = 0
                  process_min_avail = 2
                  process_limit = 4
                  client_limit = 5000
                }
                service imap {
                  # Many sessions per process: 10,000 idling clients in a few dozen processes.
                  service_count = 0
                  client_limit = 500
                  process_limit = 100
                }
                service lmtp {
                  inet_listener lmtp {
                    address = 127.0.0.1
                    port = %6$d
                  }
                  unix_listener lmtp {
                    mode = 0666
                  }
                  process_limit = 8
                }
                service auth {
                  client_limit = 30000
                }
                service anvil {
                  client_limit = 30000
                }
                """.formatted(imapPort, run, home, root ? "dovecot" : me, root ? "dovenull" : me, lmtpPort));
        Files.createDirectories(run.resolve("state"));
        Process process = new ProcessBuilder(binary.toString(), "-F", "-c", home.resolve("dovecot.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("dovecot.out").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        Dovecot dovecot = new Dovecot(home, imapPort, lmtpPort, process);
        dovecot.awaitImap(Duration.ofSeconds(20));
        return dovecot;
    }

    private static String uid(String flag) throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", flag).start();
        String value = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        id.waitFor();
        return value;
    }

    private void awaitImap(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Dovecot exited: " + Files.readString(home.resolve("dovecot.out")));
            }
            try (Socket socket = new Socket("127.0.0.1", imapPort)) {
                if (new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine().startsWith("* OK")) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Dovecot did not answer within " + timeout + "; see " + home);
    }

    /** One LMTP connection: delivers mail straight into a user's INBOX, as the mail server's MTA would. */
    public Lmtp lmtp() throws IOException {
        return new Lmtp(new Socket("127.0.0.1", lmtpPort));
    }

    /**
     * How long Dovecot itself takes to announce new mail: a client of its own in IDLE on the user's
     * INBOX, mail delivered over LMTP, until the {@code * n EXISTS} arrives; the median of
     * {@code samples} in milliseconds. Whatever the listener does, it cannot learn of mail sooner.
     */
    public double idleAnnouncementMillis(String user, int samples) throws IOException {
        List<Double> delays = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", imapPort); Lmtp lmtp = lmtp()) {
            socket.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            imap(in, out, "a LOGIN " + user + " " + PASSWORD, "a ");
            imap(in, out, "b SELECT INBOX", "b ");
            for (int i = 0; i < samples; i++) {
                imap(in, out, "c IDLE", "+");
                lmtp.deliver(user, probe(i));
                long stored = System.nanoTime();
                String line;
                do {
                    line = in.readLine();
                } while (line != null && !line.endsWith("EXISTS"));
                delays.add((System.nanoTime() - stored) / 1e6);
                imap(in, out, "DONE", "c ");
            }
        }
        delays.sort(Double::compare);
        return delays.get(delays.size() / 2);
    }

    private static byte[] probe(int sequence) {
        return ("From: probe@example.org\r\nTo: probe@example.com\r\nSubject: probe " + sequence
                + "\r\nMessage-ID: <probe-" + sequence + "-" + System.nanoTime() + "@example.org>\r\n\r\nprobe\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void imap(BufferedReader in, OutputStream out, String command, String until) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("IMAP connection closed after " + command);
            }
        } while (!line.startsWith(until));
    }

    /** The IMAP sessions Dovecot's log shows logged in so far. */
    public long loginsLogged() throws IOException {
        try (Stream<String> lines = Files.lines(home.resolve("dovecot.log"))) {
            return lines.filter(line -> line.contains("imap-login: Info: Login:")).count();
        }
    }

    /**
     * The IMAP connections Dovecot holds now: established TCP connections to its IMAP port, read from
     * the kernel's table ({@code /proc/net/tcp}, state {@code 01}).
     */
    public long imapSessions() throws IOException {
        String port = String.format(":%04X", imapPort);
        long sessions = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 3 && columns[1].endsWith(port) && columns[3].equals("01")) {
                    sessions++;
                }
            }
        }
        return sessions;
    }

    /** Lines of Dovecot's log that say it refused or dropped something. */
    public List<String> complaints() throws IOException {
        try (Stream<String> lines = Files.lines(home.resolve("dovecot.log"))) {
            return lines.filter(line -> line.contains("Warning") || line.contains("Error") || line.contains("Fatal"))
                    .filter(line -> !line.contains("client_limit") && !line.contains("RLIMIT_NPROC")
                            && !line.contains("fd limit"))
                    .limit(20).toList();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** A minimal LMTP client (RFC 2033): LHLO once, then MAIL, RCPT, DATA per message. */
    public static final class Lmtp implements AutoCloseable {

        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        private Lmtp(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
            expect("220");
            command("LHLO bench");
            expect("250");
        }

        /** Delivers the message (CRLF lines, no line starting with a dot) and returns once it is stored. */
        public void deliver(String user, byte[] message) throws IOException {
            command("MAIL FROM:<bench@example.com>");
            expect("250");
            command("RCPT TO:<" + user + ">");
            expect("250");
            command("DATA");
            expect("354");
            out.write(message);
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect("250");
        }

        private void command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads one reply, all its lines, and checks its code. */
        private void expect(String code) throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("LMTP connection closed; read " + lines);
                }
                lines.add(line);
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new IOException("LMTP expected " + code + ", got " + lines);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                command("QUIT");
            } finally {
                socket.close();
            }
        }
    }
}
