package org.emaillistener.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;

/** Which commit {@code email_listener_build_info} names: git.properties', else the image's build argument. */
class BuildCommitTest {

    @Test
    void gitPropertiesWinThenTheBuildArgumentThenUnknown() {
        Properties git = new Properties();
        git.setProperty("commit.id.abbrev", "e25e3de");
        Properties build = new Properties();
        build.setProperty("commit", "0123456789ABCDEF0123456789abcdef01234567");

        assertThat(ListenerCommonConfiguration.commit(new BuildProperties(build), new GitProperties(git)))
                .isEqualTo("e25e3de");
        assertThat(ListenerCommonConfiguration.commit(new BuildProperties(build), new GitProperties(new Properties())))
                .isEqualTo("0123456");
        Properties none = new Properties();
        none.setProperty("commit", "unknown");
        assertThat(ListenerCommonConfiguration.commit(new BuildProperties(none), null)).isEqualTo("unknown");
        assertThat(ListenerCommonConfiguration.commit(null, null)).isEqualTo("unknown");
    }
}
