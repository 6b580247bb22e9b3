package org.emaillistener.primary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.Test;

/** The embedded Tomcat is the patched one (the root pom's tomcat.version), not the parent's 11.0.22. */
class TomcatVersionTest {

    @Test
    void runsATomcatAtLeastAsNewAsThePatchedRelease() {
        int[] running = Arrays.stream(ServerInfo.getServerNumber().split("\\.")).mapToInt(Integer::parseInt).toArray();

        assertThat(running[0]).isEqualTo(11);
        assertThat(running[1] * 1000 + running[2]).as(ServerInfo.getServerNumber()).isGreaterThanOrEqualTo(29);
    }
}
