package org.emaillistener.primary.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LoginPacingTest {

    @Test
    void spreadsTheLoginsToOneServerAtTheConfiguredRateAfterAShortBurst() {
        // Time stands still while the logins are reserved: the waits are the pacing's alone.
        LoginPacing pacing = new LoginPacing(100, () -> 1_000_000_000L);
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waits.add(pacing.reserve("imap.example.com", 993));
        }

        // A tenth of a second's worth goes at once, then one login every 10 ms: 300 logins take ~2.9 s.
        assertThat(waits.subList(0, 10)).allMatch(Duration::isZero);
        assertThat(waits.get(20)).isEqualTo(Duration.ofMillis(110));
        assertThat(waits.getLast()).isEqualTo(Duration.ofMillis(2900));
        for (int i = 11; i < waits.size(); i++) {
            assertThat(waits.get(i).minus(waits.get(i - 1))).isEqualTo(Duration.ofMillis(10));
        }
    }

    @Test
    void aServerHasItsOwnTurnsNotAnotherServers() {
        LoginPacing pacing = new LoginPacing(10, () -> 1_000_000_000L);
        for (int i = 0; i < 50; i++) {
            pacing.reserve("imap.example.com", 993);
        }

        assertThat(pacing.reserve("imap.example.org", 993)).isZero();
        assertThat(pacing.reserve("IMAP.EXAMPLE.COM", 993)).isGreaterThan(Duration.ofSeconds(4));
    }

    @Test
    void zeroMeansNoLimit() {
        LoginPacing pacing = new LoginPacing(0);
        for (int i = 0; i < 1000; i++) {
            assertThat(pacing.reserve("imap.example.com", 993)).isZero();
        }
    }
}
