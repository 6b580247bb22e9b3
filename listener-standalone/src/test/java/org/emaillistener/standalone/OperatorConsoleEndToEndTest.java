package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.TcpProxy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The console's API on the management port, as a stranger and as an operator: who gets in, which
 * changes a browser's ambient credentials cannot make, what the paged list refuses, and the actions.
 * Same configuration as {@link OperatorConsoleBrowserTest}, so both run on one listener.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.sync.max-rejections=1", "listener.jobs.retry-initial-delay=100ms",
                "listener.jobs.retry-max-delay=300ms", "listener.operator.api-key=operator-key" })
class OperatorConsoleEndToEndTest extends EndToEndTest {

    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("jane\r\nINFO forged line:operator-key".getBytes(StandardCharsets.UTF_8));

    @Test
    void letsInOnlyWhoeverProvesTheKeyAndNeverOnCreatiosPort() {
        var stranger = management().get("/operator/overview");
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(stranger.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic realm="));
        assertThat(management().get("/operator/overview", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(management().get("/operator/overview", "Authorization", "Basic "
                + Base64.getEncoder().encodeToString("jane:wrong".getBytes(StandardCharsets.UTF_8))).statusCode())
                .isEqualTo(401);
        assertThat(management().get("/operator/overview", "Authorization", "Bearer operator-key").statusCode())
                .isEqualTo(200);
        assertThat(management().get("/operator/overview", "Authorization", BASIC).statusCode()).isEqualTo(200);

        for (String path : List.of("/operator/", "/operator/overview", "/operator/mailboxes")) {
            assertThat(api().get(path, "X-Api-Key", "operator-key").statusCode()).as(path).isEqualTo(404);
            assertThat(api().get(path, "Authorization", BASIC).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void theBrowsersOwnCredentialsCannotMakeAChangeWithoutTheConsolesHeader() {
        var forged = management().post("/operator/dead-letters/replay", "", "Authorization", BASIC);
        assertThat(forged.statusCode()).isEqualTo(403);

        var asked = management().post("/operator/dead-letters/replay", "", "Authorization", BASIC,
                "X-Requested-With", "operator-console");
        assertThat(asked.statusCode()).isEqualTo(200);
        assertThat(asked.body()).contains("\"who\":\"janeINFO forged line\"", "\"count\":0");
    }

    @Test
    void everyAnswerForbidsFramingCachingAndScriptsFromElsewhere() {
        var page = management().get("/operator/", "X-Api-Key", "operator-key");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).contains(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(page.body()).doesNotContain("<script>", "http://", "https://");
        assertThat(management().get("/operator/assets/../../application.yaml", "X-Api-Key", "operator-key").statusCode())
                .isNotEqualTo(200);
        assertThat(management().get("/operator/assets/index.html", "X-Api-Key", "operator-key").statusCode())
                .isEqualTo(404);
    }

    @Test
    void refusesAPageItCannotServeWithAClearReason() {
        for (String query : List.of("size=0", "size=201", "page=-1", "sort=bogus", "order=up", "quietHours=-1",
                "state=asleep", "protocol=pop3", "errorKind=bad")) {
            var answer = management().get("/operator/mailboxes?" + query, "X-Api-Key", "operator-key");
            assertThat(answer.statusCode()).as(query).isEqualTo(400);
            assertThat(answer.body()).as(query).contains("must");
        }
        assertThat(management().get("/operator/mailboxes/" + UUID.randomUUID(), "X-Api-Key", "operator-key")
                .statusCode()).isEqualTo(404);
        assertThat(management().post("/operator/mailboxes/" + UUID.randomUUID() + "/release", "", "X-Api-Key",
                "operator-key").statusCode()).isEqualTo(404);
        assertThat(management().post("/operator/mailboxes/" + UUID.randomUUID() + "/history/end?filter=ALL", "",
                "X-Api-Key", "operator-key").statusCode()).isEqualTo(409);
    }

    @Test
    void aReleasedOrResyncedMailboxIsServedAgainAndKeepsDeliveringWithinSeconds() throws Exception {
        String user = "released-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        UUID mailbox = subscribe(user, "secret", List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> listening(mailbox));

        var release = management().post("/operator/mailboxes/" + mailbox + "/release", "", "X-Api-Key", "operator-key");
        assertThat(release.statusCode()).isEqualTo(200);
        assertThat(release.body()).contains("\"action\":\"release-lease\"", "\"mailboxId\":\"" + mailbox + "\"");
        await().atMost(Duration.ofSeconds(15)).until(() -> listening(mailbox));
        mail.send(plain(user, "After the release"));
        await().atMost(Duration.ofSeconds(5)).until(() -> creatio.acceptedSubjects().contains("After the release"));

        var resync = management().post("/operator/mailboxes/" + mailbox + "/resync", "", "X-Api-Key", "operator-key");
        assertThat(resync.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> listening(mailbox));
        mail.send(plain(user, "After the resync"));
        await().atMost(Duration.ofSeconds(5)).until(() -> creatio.acceptedSubjects().contains("After the resync"));
        assertThat(creatio.acceptedSubjects()).containsOnlyOnce("After the release", "After the resync");
        assertThat(management().get("/operator/actions", "X-Api-Key", "operator-key").body())
                .contains("\"action\":\"resync\"", "\"action\":\"release-lease\"");
    }

    @Test
    void showsAMailboxWhoseServerIsOutOfReachWithHowOftenItFailedAndThatItListensAgain() throws Exception {
        // GreenMail's threads throw when the relay cuts their connections: not the listener's failures.
        String user = "outage-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        try (TcpProxy relay = new TcpProxy("127.0.0.1", mail.imapPort())) {
            UUID mailbox = UUID.randomUUID();
            api().post("/api/listeners/create", org.emaillistener.common.testing.CreatioRequests.array(
                    org.emaillistener.common.testing.CreatioRequests.imapMailbox(mailbox, "127.0.0.1", relay.port(),
                            user, "secret", creatio.bpmEndpoint(), List.of())));
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> listening(mailbox));

            relay.cut();
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> management()
                    .get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body()
                    .matches("(?s).*\"state\":\"UNREACHABLE\".*\"failures\":[2-9].*"));
            assertThat(management().get("/operator/mailboxes?state=unreachable&q=" + user, "X-Api-Key", "operator-key")
                    .body()).contains("\"total\":1", "\"errorKind\":\"UNREACHABLE\"");

            relay.restore();
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> listening(mailbox));
            assertThat(management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key").body())
                    .contains("\"failures\":0");
        }
    }

    private boolean listening(UUID mailbox) {
        return management().get("/operator/mailboxes?q=" + mailbox, "X-Api-Key", "operator-key").body()
                .contains("\"state\":\"LISTENING\"");
    }
}
