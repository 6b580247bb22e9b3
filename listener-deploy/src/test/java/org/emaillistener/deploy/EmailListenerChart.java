package org.emaillistener.deploy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/**
 * The chart in {@code helm/email-listener}, linted and rendered by real Helm as release {@value #RELEASE}
 * in namespace {@value #NAMESPACE}. Values come from files in {@code src/test/resources/values}, applied
 * in order like repeated {@code -f}, then from {@code --set}-style pairs.
 */
final class EmailListenerChart {

    static final String RELEASE = "el";
    static final String NAMESPACE = "mail";
    /** The prefix of every object's name. */
    static final String FULLNAME = "el-email-listener";
    /** The values every install must give (the callback allow-list and the encryption key). */
    static final String REQUIRED = "required.yaml";

    private EmailListenerChart() {
    }

    static LintResult lint() {
        return new Helm(RepositoryFiles.chart()).lint().strict().call();
    }

    static Manifests render(String... valuesFiles) {
        return render(Map.of(), valuesFiles);
    }

    static Manifests render(Map<String, Object> set, String... valuesFiles) {
        TemplateCommand template = new Helm(RepositoryFiles.chart()).template()
                .withName(RELEASE).withNamespace(NAMESPACE);
        for (String file : valuesFiles) {
            template = template.withValuesFile(valuesFile(file));
        }
        for (Map.Entry<String, Object> value : set.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        return Manifests.parse(template.call());
    }

    /** What {@code helm install} prints (NOTES.txt included): a client-side dry run, no cluster. */
    static String installOutput(String... valuesFiles) {
        InstallCommand install = new Helm(RepositoryFiles.chart()).install()
                .withName(RELEASE).withNamespace(NAMESPACE)
                .dryRun().withDryRunOption(DryRun.CLIENT).clientOnly();
        for (String file : valuesFiles) {
            install = install.withValuesFile(valuesFile(file));
        }
        return install.call().getOutput();
    }

    private static Path valuesFile(String name) {
        try {
            return Path.of(EmailListenerChart.class.getResource("/values/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("No values file src/test/resources/values/" + name, e);
        }
    }
}
