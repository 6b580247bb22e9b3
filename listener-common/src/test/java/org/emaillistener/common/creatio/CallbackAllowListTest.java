package org.emaillistener.common.creatio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

class CallbackAllowListTest {

    @Test
    void allowsListedHostsAndSubdomainsOfWildcards() {
        CallbackAllowList allowList = new CallbackAllowList(List.of("crm.example.com", "*.creatio.com"));

        assertThat(allowList.allows(URI.create("https://crm.example.com/0/ServiceModel/x"))).isTrue();
        assertThat(allowList.allows(URI.create("https://CRM.Example.com/"))).isTrue();
        assertThat(allowList.allows(URI.create("https://acme.creatio.com/"))).isTrue();
        assertThat(allowList.allows(URI.create("https://creatio.com.evil.net/"))).isFalse();
        assertThat(allowList.allows(URI.create("http://169.254.169.254/latest/meta-data"))).isFalse();
        assertThat(allowList.allows(URI.create("http://evilcreatio.com/"))).isFalse();
    }

    @Test
    void anEmptyListAllowsEveryHost() {
        assertThat(new CallbackAllowList(List.of()).allows(URI.create("http://10.0.0.1/"))).isTrue();
    }

    @Test
    void namesTheSettingWhenItRefuses() {
        assertThatThrownBy(() -> new CallbackAllowList(List.of("crm.example.com")).check(URI.create("http://other/")))
                .hasMessageContaining("listener.callbacks.allowed-hosts").hasMessageContaining("other");
    }
}
