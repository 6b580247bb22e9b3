package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;


/**
 * Which folders a subscription watches: those in {@code FolderIds}, or with none INBOX and every
 * other folder. Folders other than the IDLE one are checked every second here.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.folder-poll-interval=1s", "listener.jobs.retry-initial-delay=200ms" })
class FolderWatchingEndToEndTest extends EndToEndTest {


    @Test
    void watchesEveryFolderWhenFolderIdsIsEmpty() throws Exception {
        String user = "all-" + UUID.randomUUID() + "@example.com";
        GreenMailUser account = mail.greenMail().setUser(user, user, "secret");
        MailFolder projects = mail.greenMail().getManagers().getImapHostManager().createMailbox(account, "Projects");
        MailFolder acme = mail.greenMail().getManagers().getImapHostManager().createMailbox(account, "Projects.Acme");
        subscribe(user, "secret", List.of());

        mail.send(plain(user, "In the inbox"));
        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("In the inbox"));
        projects.store(plain(user, "Filed in Projects"));
        acme.store(plain(user, "Filed in Acme"));

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
        subscribe(user, "secret", List.of("Projects"));

        projects.store(plain(user, "Only Projects counts"));
        mail.send(plain(user, "The inbox is not watched"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("Only Projects counts"));
        Thread.sleep(2000);
        assertThat(creatio.acceptedSubjects()).doesNotContain("The inbox is not watched");
    }
}
