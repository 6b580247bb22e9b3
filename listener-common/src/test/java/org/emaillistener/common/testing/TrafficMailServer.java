package org.emaillistener.common.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Properties;

import org.slf4j.LoggerFactory;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * The IMAP server that delivery-deadline tests put mail on: a real Dovecot where Debian's
 * {@code dovecot-imapd} is installed ({@code .ci/run} installs it), else GreenMail, said so in the
 * test's output. Users are {@link #user(int) u0 … uN-1} with password {@link #PASSWORD}.
 */
public interface TrafficMailServer extends AutoCloseable {

    String PASSWORD = Dovecot.PASSWORD;

    static String user(int index) {
        return Dovecot.user(index);
    }

    /** Dovecot with {@code users} users if installed, else GreenMail with the same users. */
    static TrafficMailServer start(int users) throws IOException, InterruptedException {
        if (Dovecot.installed()) {
            return new OnDovecot(Dovecot.start(users));
        }
        LoggerFactory.getLogger(TrafficMailServer.class).warn("Dovecot is not installed (apt-get install "
                + "dovecot-imapd dovecot-lmtpd): running on GreenMail instead");
        return new OnGreenMail(users);
    }

    /** What the test runs against, for its report. */
    String name();

    int imapPort();

    /** Stores the message (CRLF lines) in the user's INBOX and returns once it is stored. */
    void deliver(String user, byte[] message) throws IOException;

    @Override
    void close() throws IOException, InterruptedException;

    /** Dovecot, mail stored through LMTP as a mail server's MTA would. */
    final class OnDovecot implements TrafficMailServer {

        private final Dovecot dovecot;
        private final Dovecot.Lmtp lmtp;

        OnDovecot(Dovecot dovecot) throws IOException {
            this.dovecot = dovecot;
            this.lmtp = dovecot.lmtp();
        }

        public Dovecot dovecot() {
            return dovecot;
        }

        @Override
        public String name() {
            return "Dovecot";
        }

        @Override
        public int imapPort() {
            return dovecot.imapPort();
        }

        @Override
        public synchronized void deliver(String user, byte[] message) throws IOException {
            lmtp.deliver(user, message);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                lmtp.close();
            } finally {
                dovecot.close();
            }
        }
    }

    /** GreenMail, mail stored straight into the user's INBOX. */
    final class OnGreenMail implements TrafficMailServer {

        private final GreenMail greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        private final Session session = Session.getInstance(new Properties());

        OnGreenMail(int users) {
            greenMail.start();
            for (int i = 0; i < users; i++) {
                greenMail.setUser(user(i), user(i), PASSWORD);
            }
        }

        @Override
        public String name() {
            return "GreenMail";
        }

        @Override
        public int imapPort() {
            return greenMail.getImap().getPort();
        }

        @Override
        public void deliver(String user, byte[] message) throws IOException {
            try {
                greenMail.getUserManager().getUser(user).deliver(new MimeMessage(session,
                        new ByteArrayInputStream(message)));
            } catch (MessagingException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void close() {
            greenMail.stop();
        }
    }
}
