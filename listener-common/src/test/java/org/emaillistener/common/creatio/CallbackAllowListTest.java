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
    void anEmptyListAllowsNoHostAndSaysHowToAllowOne() {
        CallbackAllowList empty = new CallbackAllowList(List.of());

        assertThat(empty.allows(URI.create("http://10.0.0.1/"))).isFalse();
        assertThat(empty.allows(URI.create("http://127.0.0.1:8081/internal-admin/delete?all=1"))).isFalse();
        assertThatThrownBy(() -> empty.check(URI.create("http://crm.example.com/")))
                .hasMessageContaining("listener.callbacks.allowed-hosts is empty").hasMessageContaining("crm.example.com");
    }

    @Test
    void neverCallsALinkLocalAddressNotEvenWhenEveryHostIsAllowed() {
        CallbackAllowList any = new CallbackAllowList(List.of("*"));

        assertThat(any.allows(URI.create("http://10.0.0.1/"))).isTrue();
        assertThat(any.allows(URI.create("http://169.254.169.254/latest/meta-data/iam/"))).isFalse();
        assertThat(any.allows(URI.create("http://[fd00:ec2::254]/latest/meta-data/"))).isFalse();
        assertThat(any.allows(URI.create("http://[fe80::1]/"))).isFalse();
        assertThat(new CallbackAllowList(List.of("169.254.169.254")).allows(URI.create("http://169.254.169.254/")))
                .isFalse();
    }

    @Test
    void namesTheSettingWhenItRefuses() {
        assertThatThrownBy(() -> new CallbackAllowList(List.of("crm.example.com")).check(URI.create("http://other/")))
                .hasMessageContaining("listener.callbacks.allowed-hosts").hasMessageContaining("other");
    }
}
