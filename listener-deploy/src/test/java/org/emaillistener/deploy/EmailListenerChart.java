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

    /**
     * The chart rendered with its hooks as ordinary objects: helm-java's template leaves hooks out, so a
     * copy of the chart whose {@code helm.sh/hook} annotations are renamed {@value #HOOK_ANNOTATION}
     * is rendered instead (by the same Helm), and a hook shows that annotation.
     */
    static Manifests renderWithHooks(Map<String, Object> set, String... valuesFiles) {
        Path copy;
        try {
            copy = java.nio.file.Files.createTempDirectory("chart-hooks-").resolve("email-listener");
            try (var files = java.nio.file.Files.walk(RepositoryFiles.chart())) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path target = copy.resolve(RepositoryFiles.chart().relativize(file).toString());
                    if (java.nio.file.Files.isDirectory(file)) {
                        java.nio.file.Files.createDirectories(target);
                    } else {
                        java.nio.file.Files.writeString(target, java.nio.file.Files.readString(file)
                                .replace("helm.sh/hook", HOOK_ANNOTATION));
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TemplateCommand template = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (String file : valuesFiles) {
            template = template.withValuesFile(valuesFile(file));
        }
        for (Map.Entry<String, Object> value : set.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        return Manifests.parse(template.call());
    }

    /** What {@code helm.sh/hook} is renamed to in {@link #renderWithHooks}. */
    static final String HOOK_ANNOTATION = "rendered-as-object.example/hook";

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
