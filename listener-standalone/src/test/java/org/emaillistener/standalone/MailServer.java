package org.emaillistener.standalone;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Properties;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

/** GreenMail (SMTP + IMAP with IDLE) on fixed free loopback ports, so it can be stopped and started again. */
final class MailServer implements AutoCloseable {

    private final ServerSetup smtp;
    private final ServerSetup imap;
    private GreenMail greenMail;

    MailServer() {
        this.smtp = new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        this.imap = new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP);
        start();
    }

    void start() {
        greenMail = new GreenMail(new ServerSetup[] { smtp, imap });
        greenMail.start();
    }

    void stop() {
        greenMail.stop();
    }

    GreenMail greenMail() {
        return greenMail;
    }

    int imapPort() {
        return imap.getPort();
    }

    int smtpPort() {
        return smtp.getPort();
    }

    void addUser(String address, String password) {
        greenMail.setUser(address, address, password);
    }

    Session smtpSession() {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(smtp.getPort()));
        return Session.getInstance(props);
    }

    void send(MimeMessage message) throws MessagingException {
        Transport.send(message);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
