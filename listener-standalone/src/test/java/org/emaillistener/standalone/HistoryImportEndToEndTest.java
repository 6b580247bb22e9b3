package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.store.MailFolder;

import jakarta.mail.Flags;
import jakarta.mail.internet.MimeMessage;

/**
 * {@code /api/email/synchronize} loads older mail: the matches of Creatio's SEARCH expression among
 * the mail received before the subscription, oldest first, in batches (7 per job here), each once,
 * while new mail keeps flowing; and for a mailbox Creatio has not registered, with the request's
 * credentials, once, nothing subscribed.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.sync.max-messages-per-job=7", "listener.jobs.retry-initial-delay=200ms",
                "listener.operator.api-key=operator-key" })
class HistoryImportEndToEndTest extends EndToEndTest {

    static final LocalDate FIRST_DAY = LocalDate.of(2023, 10, 1);

    @Autowired
    OneOffMailboxes oneOffs;

    @Test
    void deliversTheOlderMailTheFilterSelectsOnceOldestFirstWhileNewMailFlows() throws Exception {
        String user = "history-" + UUID.randomUUID() + "@example.com";
        var account = mail.greenMail().setUser(user, user, "secret");
        MailFolder inbox = mail.greenMail().getManagers().getImapHostManager().getInbox(account);
        for (int day = 0; day < 50; day++) {
            Date date = Date.from(FIRST_DAY.plusDays(day).atStartOfDay().toInstant(ZoneOffset.UTC));
            MimeMessage old = plain(user, "Old " + day);
            old.setSentDate(date);
            old.saveChanges();
            inbox.appendMessage(old, new Flags(), date);
        }
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "New 1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("New 1"));

        String request = "{\"Credentials\":{\"Id\":\"" + mailbox + "\"},"
                + "\"Filters\":\"UNDRAFT UNDELETED SENTSINCE 21-Oct-2023\"}";
        assertThat(api().post("/api/email/synchronize", request).statusCode()).isEqualTo(200);
        assertThat(api().post("/api/email/synchronize", request).statusCode()).isEqualTo(200);
        mail.send(plain(user, "New 2"));
        mail.send(plain(user, "New 3"));

        List<String> expected = IntStream.range(20, 50).mapToObj(day -> "Old " + day).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> history().size() >= 30
                && creatio.acceptedSubjects().containsAll(List.of("New 2", "New 3")));
        Thread.sleep(2000);
        assertThat(history()).containsExactlyElementsOf(expected);
        assertThat(creatio.acceptedSubjects()).filteredOn(subject -> subject.startsWith("New"))
                .containsExactlyInAnyOrder("New 1", "New 2", "New 3");
        var state = management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key");
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(state.body()).contains("\"status\":\"DONE\"", "\"found\":30", "\"delivered\":30", "\"failed\":0")
                .doesNotContain("secret");
    }

    @Test
    void refusesAFilterThatCouldSmuggleACommand() {
        UUID mailbox = subscribe("smuggle@example.com", "secret", List.of());
        String request = "{\"Credentials\":{\"Id\":\"" + mailbox + "\"},\"Filters\":\"ALL\\r\\nA1 DELETE INBOX\"}";

        var response = api().post("/api/email/synchronize", request);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Filters");
    }

    @Test
    void importsAMailboxThatIsNotRegisteredWithTheRequestsCredentialsOnceAndSubscribesNothing() throws Exception {
        String user = "one-off-" + UUID.randomUUID() + "@example.com";
        UUID mailbox = UUID.randomUUID();
        String credentials = withOldMail(user, mailbox, "One-off ");
        String request = "{\"Credentials\":" + credentials + ",\"Filters\":\"UNDRAFT UNDELETED UID 1:*\"}";

        long start = System.nanoTime();
        assertThat(api().post("/api/email/synchronize", request).statusCode()).isEqualTo(200);

        List<String> expected = IntStream.rangeClosed(1, 5).mapToObj(i -> "One-off " + i).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> oneOff().size() >= 5);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> oneOffs.find(mailbox).isEmpty());
        mail.send(plain(user, "One-off later"));
        Thread.sleep(2000);
        assertThat(oneOff()).containsExactlyElementsOf(expected);
        assertThat(api().post("/api/listeners/subscriptionsstate", "[\"" + mailbox + "\"]").body())
                .contains("\"State\":\"closed\"");
        var state = management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key");
        assertThat(state.statusCode()).as("an import is no registration").isEqualTo(404);
    }

    /**
     * Creatio's calls come in no fixed order: the import asked first, then {@code create}. The
     * subscription's new mail starts where the import's history ends, so each message arrives once.
     */
    @Test
    void aCreateThatFollowsTheImportStartsNewMailWhereTheImportEnds() throws Exception {
        String user = "then-create-" + UUID.randomUUID() + "@example.com";
        UUID mailbox = UUID.randomUUID();
        String credentials = withOldMail(user, mailbox, "Before create ");
        String request = "{\"Credentials\":" + credentials + ",\"Filters\":\"UNDRAFT UNDELETED UID 1:*\"}";

        assertThat(api().post("/api/email/synchronize", request).statusCode()).isEqualTo(200);
        assertThat(api().post("/api/listeners/create", CreatioRequests.array(credentials)).statusCode()).isEqualTo(200);
        assertThat(oneOffs.find(mailbox)).as("a registered mailbox's import uses its registration").isEmpty();
        Thread.sleep(1500);
        mail.send(plain(user, "After create"));

        await().atMost(Duration.ofSeconds(15)).until(() -> subjectsFor(user).size() >= 6);
        Thread.sleep(2000);
        assertThat(subjectsFor(user)).containsExactlyInAnyOrder("Before create 1", "Before create 2",
                "Before create 3", "Before create 4", "Before create 5", "After create");
    }

    /** A new GreenMail user with five messages in INBOX, subjects {@code prefix1..5}; its credentials. */
    private static String withOldMail(String user, UUID mailbox, String prefix) throws Exception {
        var account = mail.greenMail().setUser(user, user, "secret");
        MailFolder inbox = mail.greenMail().getManagers().getImapHostManager().getInbox(account);
        for (int i = 1; i <= 5; i++) {
            inbox.appendMessage(plain(user, prefix + i), new Flags(), new Date());
        }
        return CreatioRequests.imapMailbox(mailbox, "127.0.0.1", mail.imapPort(), user, "secret",
                creatio.bpmEndpoint(), List.of());
    }

    /**
     * An import asked before the registration with another mailbox's credentials (here: the right login
     * and a wrong password) is not the owner's: the owner's {@code create} ends it instead of letting it
     * go on with the registered password, and new mail starts at the registration.
     */
    @Test
    void aCreateEndsAnImportAskedWithOtherCredentialsInsteadOfRunningItWithTheOwnersOnes() throws Exception {
        String user = "stranger-" + UUID.randomUUID() + "@example.com";
        UUID mailbox = UUID.randomUUID();
        String owners = withOldMail(user, mailbox, "Owner's old ");
        String strangers = owners.replace("Password:\"secret\"", "Password:\"guessed\"");
        assertThat(strangers).isNotEqualTo(owners);
        // Received dates have whole seconds: the old mail is a second older than the registration.
        Thread.sleep(1100);
        String request = "{\"Credentials\":" + strangers + ",\"Filters\":\"ALL\"}";
        assertThat(api().post("/api/email/synchronize", request).statusCode()).isEqualTo(200);

        assertThat(api().post("/api/listeners/create", CreatioRequests.array(owners)).statusCode()).isEqualTo(200);
        Thread.sleep(1500);
        mail.send(plain(user, "After the owner's create"));

        await().atMost(Duration.ofSeconds(10)).until(() -> subjectsFor(user).contains("After the owner's create"));
        Thread.sleep(3000);
        assertThat(subjectsFor(user)).containsExactly("After the owner's create");
        assertThat(oneOffs.find(mailbox)).isEmpty();
        assertThat(management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body())
                .contains("\"historyImports\":[]");
    }

    private static List<String> subjectsFor(String user) {
        return creatio.acceptedEmails().stream()
                .filter(email -> email.get("Recepients").valueStream().anyMatch(r -> r.asString().contains(user)))
                .map(email -> email.get("Subject").asString()).toList();
    }

    @Test
    void refusesToImportAnUnregisteredMailboxWithIncompleteOrUnsafeCredentials() {
        String onlyAnId = "{\"Credentials\":{\"Id\":\"" + UUID.randomUUID() + "\"},\"Filters\":\"ALL\"}";
        var incomplete = api().post("/api/email/synchronize", onlyAnId);
        assertThat(incomplete.statusCode()).isEqualTo(400);
        assertThat(incomplete.body()).contains("required");

        UUID mailbox = UUID.randomUUID();
        String elsewhere = CreatioRequests.imapMailbox(mailbox, "127.0.0.1", mail.imapPort(), "anyone@example.com",
                "secret", "http://169.254.169.254/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of());
        var unsafe = api().post("/api/email/synchronize", "{\"Credentials\":" + elsewhere + ",\"Filters\":\"ALL\"}");
        assertThat(unsafe.statusCode()).isEqualTo(400);
        assertThat(unsafe.body()).contains("BpmEndpoint");
        assertThat(oneOffs.find(mailbox)).isEmpty();
    }

    private static List<String> oneOff() {
        return creatio.acceptedSubjects().stream().filter(subject -> subject.startsWith("One-off ")).toList();
    }

    @Test
    void theOperatorSeesAndReplaysDeadLettersBehindItsKey() {
        assertThat(management().get("/operator/dead-letters").statusCode()).isEqualTo(401);
        assertThat(management().post("/operator/dead-letters/replay", "").statusCode()).isEqualTo(401);

        var depth = management().get("/operator/dead-letters", "X-Api-Key", "operator-key");
        assertThat(depth.statusCode()).isEqualTo(200);
        assertThat(depth.body()).isEqualTo("{\"depth\":0}");
        var replay = management().post("/operator/dead-letters/replay?max=0", "", "X-Api-Key", "operator-key");
        assertThat(replay.statusCode()).isEqualTo(400);
        replay = management().post("/operator/dead-letters/replay", "", "X-Api-Key", "operator-key");
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).contains("\"action\":\"replay-dead-letters\"", "\"who\":\"api-key\"", "\"count\":0");
    }

    @Test
    void keepsTheOperatorViewBehindItsKey() {
        UUID mailbox = subscribe("operated@example.com", "secret", List.of());

        assertThat(management().get("/operator/mailboxes/" + mailbox).statusCode()).isEqualTo(401);
        assertThat(management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "wrong").statusCode()).isEqualTo(401);
        assertThat(management().get("/operator/mailboxes/" + UUID.randomUUID(), "X-Api-Key", "operator-key").statusCode())
                .isEqualTo(404);
        assertThat(management().get("/operator/mailboxes/nope", "X-Api-Key", "operator-key").statusCode()).isEqualTo(400);
    }

    private static List<String> history() {
        return creatio.acceptedSubjects().stream().filter(subject -> subject.startsWith("Old ")).toList();
    }
}
