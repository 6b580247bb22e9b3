package org.emaillistener.common.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeExchange;
import org.emaillistener.common.testing.TlsProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** How the listener reaches an Exchange server: the address, autodiscover's redirects, TLS, the login. */
class ExchangeConnectorTest {

    static FakeExchange exchange;
    /** The fake speaks plain http on loopback, which the operator must allow. */
    static ExchangeConnector connector = new ExchangeConnector(new Binder(new MapConfigurationPropertySource(
            Map.of("listener.exchange.plaintext-hosts", "127.0.0.1"))).bindOrCreate("listener.exchange",
                    ExchangeProperties.class));

    @BeforeAll
    static void start() throws Exception {
        exchange = new FakeExchange();
        exchange.addUser("jane@example.com", "secret");
    }

    @AfterAll
    static void stop() {
        exchange.close();
    }

    @Test
    void readsABareHostAsItsEwsAddressOverHttps() throws Exception {
        assertThat(connector.ewsUrl(mailbox("mail.example.com", false, null), Duration.ofSeconds(1)))
                .isEqualTo(URI.create("https://mail.example.com/EWS/Exchange.asmx"));
        assertThatThrownBy(() -> connector.ewsUrl(mailbox("ftp://mail.example.com/EWS", false, null),
                Duration.ofSeconds(1))).isInstanceOf(ExchangeException.class).hasMessageContaining("ServiceUrl");
    }

    /** Issue 14, finding 7: Basic credentials over http:// go only to hosts the operator allows. */
    @Test
    void sendsNoLoginToAnHttpEwsAddressTheOperatorDidNotAllow() {
        ExchangeConnector strict = new ExchangeConnector(new Binder().bindOrCreate("listener.exchange",
                ExchangeProperties.class));
        exchange.clearRequests();

        for (SynchronizationCredentials mailbox : List.of(mailbox(exchange.ewsUrl(), false, null),
                mailbox(exchange.autodiscoverUrl(), true, null))) {
            assertThatThrownBy(() -> strict.connect(mailbox).verify()).isInstanceOf(ExchangeException.class)
                    .hasMessageContaining("would send the login in clear text")
                    .hasMessageContaining("listener.exchange.plaintext-hosts");
        }
        assertThat(exchange.requests()).isEmpty();
    }

    @Test
    void followsAnAutodiscoverRedirectOnlyToAnHttpsUrlTheMailboxsPatternAllows() {
        Pattern allowed = Pattern.compile("^https://autodiscover[.]example[.]com/");
        assertThat(ExchangeConnector.redirectAllowed(allowed,
                "https://autodiscover.example.com/autodiscover/autodiscover.svc")).isTrue();
        assertThat(ExchangeConnector.redirectAllowed(allowed,
                "https://evil.example.net/autodiscover/autodiscover.svc")).isFalse();
        assertThat(ExchangeConnector.redirectAllowed(Pattern.compile("example"),
                "http://autodiscover.example.com/autodiscover/autodiscover.svc")).isFalse();
        assertThat(ExchangeConnector.redirectAllowed(null,
                "https://autodiscover.example.com/autodiscover/autodiscover.svc")).isFalse();
    }

    @Test
    void autodiscoversTheEwsAddressFromAnAutodiscoverUrl() throws Exception {
        SynchronizationCredentials autodiscovered = mailbox(exchange.autodiscoverUrl(), true, null);

        try (ExchangeMailbox mailbox = connector.connect(autodiscovered)) {
            mailbox.verify();
        }
        assertThat(connector.ewsUrl(autodiscovered, Duration.ofSeconds(5))).isEqualTo(URI.create(exchange.ewsUrl()));
    }

    /** ews-java-api alone follows a SOAP RedirectUrl answer without asking anybody. */
    @Test
    void refusesAnAutodiscoverRedirectTheMailboxsPatternDoesNotAllow() {
        exchange.redirectAutodiscoverTo("https://evil.example.net/autodiscover/autodiscover.svc");
        try {
            SynchronizationCredentials redirected = mailbox(exchange.autodiscoverUrl(), true,
                    "^https://autodiscover[.]example[.]com/");

            assertThatThrownBy(() -> connector.ewsUrl(redirected, Duration.ofSeconds(5)))
                    .isInstanceOf(ExchangeException.class)
                    .hasMessageContaining("evil.example.net").hasMessageContaining("refused");
        } finally {
            exchange.redirectAutodiscoverTo(null);
        }
    }

    @Test
    void logsInWithBasicCredentialsAndReportsARefusedPasswordAsAnAuthenticationFailure() throws Exception {
        try (ExchangeMailbox mailbox = connector.connect(mailbox(exchange.ewsUrl(), false, null))) {
            mailbox.verify();
        }
        SynchronizationCredentials wrong = withPassword(mailbox(exchange.ewsUrl(), false, null), "wrong");
        try (ExchangeMailbox mailbox = connector.connect(wrong)) {
            assertThatThrownBy(mailbox::verify).isInstanceOfSatisfying(ExchangeException.class, e -> {
                assertThat(e.authenticationFailed()).isTrue();
                assertThat(MailboxFailure.of(e).kind()).isEqualTo(FailureKind.AUTHENTICATION);
                assertThat(e.getMessage()).doesNotContain("wrong");
            });
        }
    }

    /**
     * ews-java-api alone trusts any certificate that comes without a chain; the listener does not: a
     * self-signed certificate is a TLS failure, as for IMAP and SMTP.
     */
    @Test
    void refusesAServerWhoseCertificateNobodyVouchesFor() throws Exception {
        int plainPort = URI.create(exchange.ewsUrl()).getPort();
        try (TlsProxy tls = new TlsProxy(plainPort);
                ExchangeMailbox mailbox = connector.connect(mailbox("https://localhost:" + tls.port()
                        + "/EWS/Exchange.asmx", false, null))) {
            assertThatThrownBy(mailbox::verify).isInstanceOfSatisfying(ExchangeException.class,
                    e -> assertThat(MailboxFailure.of(e).kind()).isEqualTo(FailureKind.TLS));
        }
    }

    private static SynchronizationCredentials mailbox(String serviceUrl, boolean autodiscover, String redirect) {
        String json = CreatioRequests.exchangeMailbox(UUID.randomUUID(), serviceUrl, "jane@example.com", "secret",
                "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of(), 0)
                .replace("IsAutodiscover:false", "IsAutodiscover:" + autodiscover)
                .replace("AutodiscoverRedirectUrl:null",
                        "AutodiscoverRedirectUrl:" + (redirect == null ? "null" : "\"" + redirect + "\""));
        return CreatioJson.mapper().readValue(json, SynchronizationCredentials.class);
    }

    private static SynchronizationCredentials withPassword(SynchronizationCredentials mailbox, String password) {
        String json = CreatioJson.mapper().writeValueAsString(mailbox).replace("\"Password\":\"secret\"",
                "\"Password\":\"" + password + "\"");
        return CreatioJson.mapper().readValue(json, SynchronizationCredentials.class);
    }
}
