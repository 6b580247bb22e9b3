package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Which folders a subscription watches: those in {@code FolderIds}, or with none INBOX and every
 * other folder. Folders other than the IDLE one are checked every second here.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.folder-poll-interval=1s", "listener.jobs.retry-initial-delay=200ms" })
class FolderWatchingEndToEndTest {

    static MailServer mail;
    static CreatioStandIn creatio;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startPeers() throws Exception {
        mail = new MailServer();
        creatio = new CreatioStandIn();
    }

    @AfterAll
    static void stopPeers() {
        mail.close();
        creatio.close();
    }

    @Test
    void watchesEveryFolderWhenFolderIdsIsEmpty() throws Exception {
        String user = "all-" + UUID.randomUUID() + "@example.com";
        GreenMailUser account = mail.greenMail().setUser(user, user, "secret");
        MailFolder projects = mail.greenMail().getManagers().getImapHostManager().createMailbox(account, "Projects");
        MailFolder acme = mail.greenMail().getManagers().getImapHostManager().createMailbox(account, "Projects.Acme");
        subscribe(user, List.of());

        mail.send(message(user, "In the inbox"));
        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("In the inbox"));
        projects.store(message(user, "Filed in Projects"));
        acme.store(message(user, "Filed in Acme"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects()
                .containsAll(List.of("Filed in Projects", "Filed in Acme")));
        Thread.sleep(2000);
        assertThat(creatio.acceptedSubjects()).filteredOn(subject -> subject.startsWith("Filed") || subject.startsWith("In the"))
                .containsExactlyInAnyOrder("In the inbox", "Filed in Projects", "Filed in Acme");
    }

    @Test
    void watchesOnlyTheFoldersCreatioAskedFor() throws Exception {
        String user = "some-" + UUID.randomUUID() + "@example.com";
        GreenMailUser account = mail.greenMail().setUser(user, user, "secret");
        MailFolder projects = mail.greenMail().getManagers().getImapHostManager().createMailbox(account, "Projects");
        subscribe(user, List.of("Projects"));

        projects.store(message(user, "Only Projects counts"));
        mail.send(message(user, "The inbox is not watched"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("Only Projects counts"));
        Thread.sleep(2000);
        assertThat(creatio.acceptedSubjects()).doesNotContain("The inbox is not watched");
    }

    private void subscribe(String user, List<String> folders) {
        var response = new ListenerApi(port).post("/api/listeners/create", CreatioRequests.array(
                CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", mail.imapPort(), user, "secret",
                        creatio.bpmEndpoint(), folders)));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static MimeMessage message(String to, String subject) throws Exception {
        MimeMessage message = new MimeMessage(mail.smtpSession());
        message.setFrom(new InternetAddress("bob@example.com"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText(subject);
        message.saveChanges();
        return message;
    }
}
