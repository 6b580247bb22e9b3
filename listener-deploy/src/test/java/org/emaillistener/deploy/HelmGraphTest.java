package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Exchange Online through Microsoft Graph: the tenants and settings in both roles, credentials only by reference. */
class HelmGraphTest {

    private static final String INLINE = "graph-inline.yaml";
    private static final String EXISTING = "graph-existing-secrets.yaml";

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void isOffWithoutTenants(ListenerRole role) {
        Manifests manifests = render(REQUIRED);

        assertThat(manifests.env(role)).extracting(EnvVar::getName).noneMatch(name -> name.startsWith("LISTENER_GRAPH_"));
        assertThat(manifests.podSpec(role).getVolumes()).noneMatch(volume -> volume.getName().startsWith("graph-"));
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void tenantsByTheirIndexAndTheNotificationAndPollingSettingsArePlainValues(ListenerRole role) {
        Manifests manifests = render(REQUIRED, INLINE);

        assertThat(values(manifests, role))
                .containsEntry("LISTENER_GRAPH_TENANTS_0_TENANTID", "11111111-1111-1111-1111-111111111111")
                .containsEntry("LISTENER_GRAPH_TENANTS_0_CLIENTID", "aaaaaaaa-0000-0000-0000-000000000001")
                .containsEntry("LISTENER_GRAPH_TENANTS_0_DOMAINS", "contoso.com,fabrikam.com")
                .containsEntry("LISTENER_GRAPH_TENANTS_1_DOMAINS", "northwind.example")
                .containsEntry("LISTENER_GRAPH_TENANTS_0_CREATIOHOSTS", "mycompany.creatio.com")
                .containsEntry("LISTENER_GRAPH_NOTIFICATIONURL", "https://listener.example.com/graph/notifications")
                .containsEntry("LISTENER_GRAPH_POLLINTERVAL", "2m")
                .containsEntry("LISTENER_GRAPH_SUBSCRIPTIONLIFETIME", "70h")
                .containsEntry("LISTENER_GRAPH_SAFETYPOLLINTERVAL", "15m");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void inlineCredentialsAreKeptInTheChartsSecretAndReachThePodsByReference(ListenerRole role) {
        Manifests manifests = render(REQUIRED, INLINE);

        assertThat(manifests.one(Secret.class, FULLNAME).getData())
                .containsKeys("graph-tenant-0-client-secret", "graph-tenant-1-certificate.pem");
        assertThat(secretRef(manifests.env(role, "LISTENER_GRAPH_TENANTS_0_CLIENTSECRET")))
                .isEqualTo(new SecretKeySelector("graph-tenant-0-client-secret", FULLNAME, null));
        assertThat(manifests.env(role, "LISTENER_GRAPH_TENANTS_1_CERTIFICATEPATH").getValue())
                .isEqualTo("/etc/email-listener/graph/tenant-1/certificate.pem");
        assertThat(secretVolume(manifests, role, "graph-tenant-1")).satisfies(volume -> {
            assertThat(volume.getSecretName()).isEqualTo(FULLNAME);
            assertThat(volume.getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                    .containsExactly(tuple("graph-tenant-1-certificate.pem", "certificate.pem"));
        });
        assertThat(mount(manifests, role, "graph-tenant-1").getMountPath()).isEqualTo("/etc/email-listener/graph/tenant-1");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void aCertificateInAKubernetesTlsSecretIsMountedWithItsKey(ListenerRole role) {
        Manifests manifests = render(REQUIRED, EXISTING);

        assertThat(secretVolume(manifests, role, "graph-tenant-0")).satisfies(volume -> {
            assertThat(volume.getSecretName()).isEqualTo("graph-tls");
            assertThat(volume.getItems()).extracting(KeyToPath::getKey).containsExactly("tls.crt", "tls.key");
        });
        assertThat(mount(manifests, role, "graph-tenant-0").getReadOnly()).isTrue();
        assertThat(values(manifests, role))
                .containsEntry("LISTENER_GRAPH_TENANTS_0_CERTIFICATEPATH", "/etc/email-listener/graph/tenant-0/tls.crt")
                .containsEntry("LISTENER_GRAPH_TENANTS_0_CERTIFICATEKEYPATH", "/etc/email-listener/graph/tenant-0/tls.key");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void aPkcs12FileIsMountedAndItsPasswordAndClientSecretsAreReferenced(ListenerRole role) {
        Manifests manifests = render(REQUIRED, EXISTING);

        assertThat(secretVolume(manifests, role, "graph-tenant-1").getItems()).extracting(KeyToPath::getKey)
                .containsExactly("app.pfx");
        assertThat(manifests.env(role, "LISTENER_GRAPH_TENANTS_1_CERTIFICATEPATH").getValue())
                .isEqualTo("/etc/email-listener/graph/tenant-1/app.pfx");
        assertThat(secretRef(manifests.env(role, "LISTENER_GRAPH_TENANTS_1_CERTIFICATEPASSWORD")))
                .isEqualTo(new SecretKeySelector("password", "graph-pfx", null));
        assertThat(secretRef(manifests.env(role, "LISTENER_GRAPH_TENANTS_2_CLIENTSECRET")))
                .isEqualTo(new SecretKeySelector("client-secret", "graph-secret", null));
        assertThat(manifests.podSpec(role).getVolumes()).extracting(volume -> volume.getName())
                .doesNotContain("graph-tenant-2");
    }

    @ParameterizedTest
    @ValueSource(strings = { INLINE, EXISTING })
    void noCredentialIsAPlainValue(String variant) {
        Manifests manifests = render(REQUIRED, variant);

        for (ListenerRole role : ListenerRole.values()) {
            assertThat(manifests.env(role)).filteredOn(env -> env.getName().startsWith("LISTENER_GRAPH_TENANTS_")
                    && (env.getName().endsWith("CLIENTSECRET") || env.getName().endsWith("PASSWORD")))
                    .allSatisfy(env -> {
                        assertThat(env.getValue()).as(env.getName()).isNull();
                        assertThat(env.getValueFrom().getSecretKeyRef()).as(env.getName()).isNotNull();
                    });
            String workload = Serialization.asYaml(role == ListenerRole.PRIMARY ? manifests.primary() : manifests.secondary());
            assertThat(workload).doesNotContain("graph-inline-client-secret", "graph-inline-certificate",
                    "graph-inline-private-key", "BEGIN");
        }
    }

    @Test
    void refusesATenantWithBothASecretAndACertificate() {
        assertThatThrownBy(() -> render(Map.of("graph.tenants[0].certificate", "-----BEGIN CERTIFICATE-----"),
                REQUIRED, INLINE))
                .hasMessageContaining("graph.tenants[0] (tenant 11111111-1111-1111-1111-111111111111) has both a"
                        + " client secret and a certificate")
                .hasMessageNotContaining("graph-inline-client-secret");
    }

    @Test
    void refusesATenantWithoutACredential() {
        assertThatThrownBy(() -> render(Map.of("graph.tenants[0].tenantId", "t", "graph.tenants[0].clientId", "c",
                "graph.tenants[0].domains[0]", "contoso.com", "graph.tenants[0].creatioHosts[0]", "crm.example",
                "api.basePath", "/k7Qx9dW2"), REQUIRED))
                .hasMessageContaining("graph.tenants[0] (tenant t) has no credential");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void checksOnlyTheClaimsOfUnverifiableSignInsWhenTheOperatorSaysSo(ListenerRole role) {
        assertThat(values(render(REQUIRED, INLINE), role)).doesNotContainKey("LISTENER_GRAPH_REQUIREVERIFIEDSIGNIN");
        assertThat(values(render(Map.of("graph.requireVerifiedSignIn", "false"), REQUIRED, INLINE), role))
                .containsEntry("LISTENER_GRAPH_REQUIREVERIFIEDSIGNIN", "false");
    }

    @Test
    void refusesATenantThatNamesNoCreatioHostsForItsMail() {
        assertThatThrownBy(() -> render(Map.of("graph.tenants[0].tenantId", "t", "graph.tenants[0].clientId", "c",
                "graph.tenants[0].domains[0]", "contoso.com", "graph.tenants[0].clientSecret", "s",
                "api.basePath", "/k7Qx9dW2"), REQUIRED))
                .hasMessageContaining("graph.tenants[0] (tenant t) names no creatioHosts");
    }

    @Test
    void refusesTenantsWithoutASecretBasePathUnlessTheOperatorSaysOnlyCreatioReachesTheApi() {
        assertThatThrownBy(() -> render(Map.of("api.basePath", ""), REQUIRED, INLINE))
                .hasMessageContaining("api.basePath").hasMessageContaining("graph.allowUnprotectedApi");

        Manifests allowed = render(Map.of("api.basePath", "", "graph.allowUnprotectedApi", true), REQUIRED, INLINE);
        assertThat(allowed.env(ListenerRole.PRIMARY, "LISTENER_API_ALLOWGRAPHWITHOUTBASEPATH").getValue())
                .isEqualTo("true");
    }

    @Test
    void passesTheBasePathFromTheChartsSecret() {
        Manifests manifests = render(REQUIRED, INLINE);

        assertThat(secretRef(manifests.env(ListenerRole.PRIMARY, "LISTENER_API_BASEPATH")))
                .isEqualTo(new SecretKeySelector("api-base-path", FULLNAME, null));
        assertThat(manifests.env(ListenerRole.SECONDARY)).extracting(EnvVar::getName)
                .doesNotContain("LISTENER_API_BASEPATH");
    }

    @Test
    void refusesKeysOfAnExistingSecretWithoutItsName() {
        assertThatThrownBy(() -> render(Map.of("graph.tenants[0].existingSecret", ""), REQUIRED, EXISTING))
                .hasMessageContaining("graph.tenants[0] (tenant 11111111-1111-1111-1111-111111111111) names keys"
                        + " of an existing Secret but no existingSecret");
    }

    @Test
    void refusesANotificationUrlThatIsNotHttps() {
        assertThatThrownBy(() -> render(Map.of("graph.notificationUrl", "http://listener.example.com/notify"), REQUIRED))
                .hasMessageContaining("/graph/notificationUrl");
    }

    /** The role's variables with a plain value, by name. */
    private static Map<String, String> values(Manifests manifests, ListenerRole role) {
        return manifests.env(role).stream().filter(env -> env.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static SecretKeySelector secretRef(EnvVar env) {
        assertThat(env.getValue()).as(env.getName()).isNull();
        return env.getValueFrom().getSecretKeyRef();
    }

    private static SecretVolumeSource secretVolume(Manifests manifests, ListenerRole role, String name) {
        return manifests.podSpec(role).getVolumes().stream().filter(volume -> volume.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("No volume " + name)).getSecret();
    }

    private static VolumeMount mount(Manifests manifests, ListenerRole role, String name) {
        return manifests.container(role).getVolumeMounts().stream().filter(mount -> mount.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("No volume mount " + name));
    }

    @Test
    void installNotesSayWhichDomainsGraphServesAndHowMailArrives() {
        assertThat(EmailListenerChart.installOutput(REQUIRED, "graph-inline.yaml"))
                .contains("Exchange Online mailboxes of contoso.com, fabrikam.com, northwind.example are served "
                        + "through Microsoft Graph")
                .contains("change notifications posted to https://listener.example.com/graph/notifications");
        assertThat(EmailListenerChart.installOutput(REQUIRED)).doesNotContain("Microsoft Graph");
    }
}
