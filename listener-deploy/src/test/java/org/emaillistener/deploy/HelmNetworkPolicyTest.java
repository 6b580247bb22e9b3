package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/**
 * Who may connect to the pods (issue 14, finding 6): by default only the peers the operator names
 * reach the primary's API, and Prometheus's peers the metrics; the secondary takes no connections but
 * those.
 */
class HelmNetworkPolicyTest {

    @Test
    void onlyTheNamedPeersReachThePrimarysApiAndNothingReachesTheSecondary() {
        Manifests manifests = render(REQUIRED);

        NetworkPolicy primary = manifests.one(NetworkPolicy.class, FULLNAME + "-primary");
        assertThat(primary.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(primary.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(manifests.primary().getSpec().getSelector().getMatchLabels());
        NetworkPolicyIngressRule api = primary.getSpec().getIngress().getFirst();
        assertThat(primary.getSpec().getIngress()).hasSize(1);
        // The peers named, and the chart's own helm test pod.
        assertThat(api.getFrom()).hasSize(2);
        assertThat(api.getFrom().getFirst()).extracting(NetworkPolicyPeer::getNamespaceSelector)
                .satisfies(selector -> assertThat(selector.getMatchLabels())
                        .containsEntry("kubernetes.io/metadata.name", "creatio"));
        assertThat(api.getFrom().getLast().getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "test");
        assertThat(api.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(new IntOrString("http"));
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });

        NetworkPolicy secondary = manifests.one(NetworkPolicy.class, FULLNAME + "-secondary");
        assertThat(secondary.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(manifests.secondary().getSpec().getSelector().getMatchLabels());
        assertThat(secondary.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(secondary.getSpec().getIngress()).isEmpty();
    }

    @Test
    void prometheusPeersReachBothRolesMetrics() {
        Manifests manifests = render(Map.of("networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team",
                "monitoring"), REQUIRED);

        for (String role : new String[] { "-primary", "-secondary" }) {
            NetworkPolicy policy = manifests.one(NetworkPolicy.class, FULLNAME + role);
            assertThat(policy.getSpec().getIngress()).last().satisfies(rule -> {
                assertThat(rule.getFrom()).singleElement().satisfies(peer -> assertThat(
                        peer.getNamespaceSelector().getMatchLabels()).containsEntry("team", "monitoring"));
                // The primary's management port, never its API; the secondary has but one port.
                assertThat(rule.getPorts()).singleElement().satisfies(port -> assertThat(port.getPort())
                        .isEqualTo(new IntOrString(role.equals("-primary") ? "management" : "http")));
            });
        }
    }

    @Test
    void anInstallMustNameWhoCallsTheApiOrTurnThePolicyOff() {
        assertThatThrownBy(() -> render(Map.of("networkPolicy.apiFrom", "null"), REQUIRED))
                .hasMessageContaining("networkPolicy.apiFrom is required");

        Manifests off = render(Map.of("networkPolicy.enabled", "false", "networkPolicy.apiFrom", "null"), REQUIRED);
        assertThat(off.all(NetworkPolicy.class)).isEmpty();
    }

    @Test
    void refusesAPeerThatIsNotANetworkPolicyPeer() {
        assertThatThrownBy(() -> render(Map.of("networkPolicy.apiFrom[0].everyone", "true"), REQUIRED))
                .hasMessageContaining("everyone");
    }
}
