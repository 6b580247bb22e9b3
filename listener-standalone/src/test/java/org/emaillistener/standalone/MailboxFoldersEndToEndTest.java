package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/mailbox/folders} lists a mailbox's folders as Creatio's tree (GreenMail's hierarchy
 * delimiter is '.'), and an {@code Id} from it, sent back in {@code FolderIds}, is the folder the
 * subscription watches. Folders other than the IDLE one are checked every second here, and a mail server may take at most 2 s.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.folder-poll-interval=1s", "listener.jobs.retry-initial-delay=200ms",
                "listener.api.mailbox-timeout=2s" })
class MailboxFoldersEndToEndTest extends EndToEndTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void listsEveryFolderWithItsParentInboxFirst() throws Exception {
        String user = newUser();
        createFolders(user, "Projects", "Projects.Acme", "Проекты", "Проекты.Клиенты");

        var response = api().post("/api/mailbox/folders", mailbox(user, "secret", mail.imapPort()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[{\"Id\":\"INBOX\",\"Name\":\"INBOX\",\"ParentId\":null},"
                + "{\"Id\":\"Projects\",\"Name\":\"Projects\",\"ParentId\":null},"
                + "{\"Id\":\"Projects.Acme\",\"Name\":\"Acme\",\"ParentId\":\"Projects\"},"
                + "{\"Id\":\"Проекты\",\"Name\":\"Проекты\",\"ParentId\":null},"
                + "{\"Id\":\"Проекты.Клиенты\",\"Name\":\"Клиенты\",\"ParentId\":\"Проекты\"}]");
    }

    @Test
    void watchesANonAsciiFolderByTheIdItWasListedWith() throws Exception {
        String user = newUser();
        GreenMailUser account = mail.greenMail().getUserManager().getUser(user);
        createFolders(user, "Проекты");
        MailFolder clients = hosts().createMailbox(account, "Проекты.Клиенты");
        JsonNode listed = folders(mailbox(user, "secret", mail.imapPort()));
        String id = listed.valueStream().filter(folder -> folder.get("Name").asString().equals("Клиенты"))
                .findFirst().orElseThrow().get("Id").asString();

        subscribe(user, "secret", List.of(id));
        clients.store(plain(user, "Filed under Клиенты"));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedSubjects().contains("Filed under Клиенты"));
    }

    @Test
    void listsAFolderThatCannotHoldMailOnlyWhenFoldersSitBelowIt() throws Exception {
        String user = newUser();
        createFolders(user, "Archive", "Archive.2023", "Empty");
        GreenMailUser account = mail.greenMail().getUserManager().getUser(user);
        hosts().getStore().setSelectable(hosts().getFolder(account, "Archive"), false);
        hosts().getStore().setSelectable(hosts().getFolder(account, "Empty"), false);

        JsonNode listed = folders(mailbox(user, "secret", mail.imapPort()));

        assertThat(listed.valueStream().map(folder -> folder.get("Id").asString()))
                .containsExactly("INBOX", "Archive", "Archive.2023");
        assertThat(listed.get(2).get("ParentId").asString()).isEqualTo("Archive");
    }

    @ParameterizedTest
    @ValueSource(strings = { "IPF.Appointment", "IPF.Task" })
    void listsNoFoldersForCalendarsAndTasks(String folderClass) {
        String user = newUser();
        String body = mailbox(user, "secret", mail.imapPort())
                .replace("FolderClassName:null", "FolderClassName:\"" + folderClass + "\"");

        var response = api().post("/api/mailbox/folders", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[]");
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"IPF.Note\"", "\"\"" })
    void listsMailFoldersForTheMailClass(String folderClass) {
        String user = newUser();
        String body = mailbox(user, "secret", mail.imapPort())
                .replace("FolderClassName:null", "FolderClassName:" + folderClass);

        assertThat(folders(body).valueStream().map(folder -> folder.get("Id").asString())).containsExactly("INBOX");
    }

    @Test
    void answersARejectedPasswordWithAnError() {
        String user = newUser();

        var response = api().post("/api/mailbox/folders", mailbox(user, "Hunter2", mail.imapPort()));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("\"error\":", "rejected the login").doesNotContain("Hunter2");
    }

    @Test
    void answersAServerThatCannotBeReachedWithBadGateway() {
        var response = api().post("/api/mailbox/folders",
                mailbox("nobody@example.com", "secret", SilentServer.closedPort()));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"Bad Gateway\"", "cannot be reached");
    }

    @Test
    void answersASilentServerWithGatewayTimeoutInTime() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            long start = System.nanoTime();
            var response = api().post("/api/mailbox/folders", mailbox("silent@example.com", "secret", silent.port()));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("did not answer within 2 seconds");
        }
    }

    private static String newUser() {
        String user = "folders-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        return user;
    }

    private static ImapHostManager hosts() {
        return mail.greenMail().getManagers().getImapHostManager();
    }

    private static void createFolders(String user, String... names) throws Exception {
        GreenMailUser account = mail.greenMail().getUserManager().getUser(user);
        for (String name : names) {
            hosts().createMailbox(account, name);
        }
    }

    /** One mailbox in Creatio's unquoted dialect: an object, not the array create takes. */
    private static String mailbox(String user, String password, int port) {
        return CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", port, user, password,
                creatio.bpmEndpoint(), List.of());
    }

    private JsonNode folders(String body) {
        var response = api().post("/api/mailbox/folders", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
