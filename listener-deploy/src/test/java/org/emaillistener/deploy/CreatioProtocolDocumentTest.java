package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.MailboxStateReport;
import org.emaillistener.common.creatio.NewEmailEvent;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.creatio.TokenRefreshRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * docs/creatio-protocol.md names what the code serves and sends: its endpoint table lists exactly the
 * paths under {@code /api} and {@code /apiv2} the primary's controllers map, and its field lists are
 * exactly the components of the wire records (whose names are the wire names).
 */
class CreatioProtocolDocumentTest {

    private static final MarkdownPage PROTOCOL = MarkdownPage.doc("creatio-protocol.md");
    private static final Pattern ENDPOINT = Pattern.compile("(GET|POST) `(/[^`]+)`");
    private static final Pattern FIELD = Pattern.compile("`([A-Za-z]+)`");
    private static final Pattern OBJECT = Pattern.compile("`(\\{\"[^`]*)`");
    private static final Pattern MEMBER = Pattern.compile("\"([A-Za-z]+)\"");

    @Test
    void theEndpointTableListsEveryPathOfCreatiosApiTheListenerServes() {
        Set<String> documented = new TreeSet<>();
        for (List<String> row : MarkdownPage.tableRows(PROTOCOL.section("Endpoints the listener serves"))) {
            Matcher endpoint = ENDPOINT.matcher(row.get(1));
            assertThat(endpoint.matches()).as("a method and a path: %s", row.get(1)).isTrue();
            documented.add(endpoint.group(1) + " " + endpoint.group(2));
        }
        assertThat(documented).isEqualTo(servedCreatioEndpoints());
    }

    @Test
    void theSynchronizationCredentialsTableHasEveryFieldOfTheRecord() {
        assertThat(tableFields("SynchronizationCredentials")).isEqualTo(components(SynchronizationCredentials.class));
    }

    @Test
    void theEmailTableHasEveryFieldOfTheRecord() {
        assertThat(tableFields("Email")).isEqualTo(components(Email.class));
    }

    @Test
    void theCallbackBodiesNameEveryMemberTheListenerSends() {
        assertThat(objectMembers("ProcessMailboxState")).isEqualTo(components(MailboxStateReport.class));
        assertThat(objectMembers("RefreshToken")).isEqualTo(components(TokenRefreshRequest.class));
        Set<String> newEmail = components(NewEmailEvent.class);
        newEmail.addAll(components(NewEmailEvent.NewEvent.class));
        assertThat(objectMembers("NewEmail")).isEqualTo(newEmail);
    }

    /** Every method and path the primary's REST controllers map under Creatio's {@code /api} and {@code /apiv2}. */
    private static Set<String> servedCreatioEndpoints() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        Set<String> endpoints = new TreeSet<>();
        for (BeanDefinition controller : scanner.findCandidateComponents("org.emaillistener.primary")) {
            Class<?> type = loaded(controller.getBeanClassName());
            RequestMapping base = AnnotatedElementUtils.findMergedAnnotation(type, RequestMapping.class);
            List<String> prefixes = base == null || base.path().length == 0 ? List.of("") : List.of(base.path());
            for (Method method : type.getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping == null) {
                    continue;
                }
                for (String prefix : prefixes) {
                    for (String path : mapping.path()) {
                        for (RequestMethod verb : mapping.method()) {
                            endpoints.add(verb + " " + prefix + path);
                        }
                    }
                }
            }
        }
        endpoints.removeIf(endpoint -> !endpoint.matches("\\w+ /api(v2)?/.*"));
        return endpoints;
    }

    /** The field names in the first column of the section's table ({@code `UserName`, `Password`} is two). */
    private static Set<String> tableFields(String section) {
        Set<String> fields = new TreeSet<>();
        for (List<String> row : MarkdownPage.tableRows(PROTOCOL.section(section))) {
            Matcher field = FIELD.matcher(row.get(0));
            while (field.find()) {
                fields.add(field.group(1));
            }
        }
        return fields;
    }

    /** The member names of the first JSON object the section shows in code quotes. */
    private static Set<String> objectMembers(String section) {
        Matcher object = OBJECT.matcher(String.join("\n", PROTOCOL.section(section)));
        assertThat(object.find()).as("a JSON object under \"%s\"", section).isTrue();
        Set<String> members = new TreeSet<>();
        Matcher member = MEMBER.matcher(object.group(1));
        while (member.find()) {
            members.add(member.group(1));
        }
        return members;
    }

    private static Set<String> components(Class<?> record) {
        return Stream.of(record.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Class<?> loaded(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
