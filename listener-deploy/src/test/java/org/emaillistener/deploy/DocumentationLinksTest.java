package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The README is the front door and the rest lives in linked pages under docs/: every relative link of
 * README.md, docs/*.md and the chart's README leads to a file that exists and, where it names an
 * anchor, to a heading of that page, as GitHub makes its anchors.
 */
class DocumentationLinksTest {

    private static final int FRONT_DOOR_BYTES = 15 * 1024;

    @Test
    void everyRelativeLinkLeadsToAFileOfTheRepository() {
        List<String> broken = new ArrayList<>();
        for (MarkdownPage page : MarkdownPage.documentation()) {
            for (String link : relativeLinks(page)) {
                String path = pathOf(link);
                if (!path.isEmpty() && !Files.exists(page.file().resolveSibling(path).normalize())) {
                    broken.add(page + ": " + link);
                }
            }
        }
        assertThat(broken).as("links to files that do not exist").isEmpty();
    }

    @Test
    void everyLinkedAnchorIsAHeadingOfThePageLinkedTo() {
        List<String> broken = new ArrayList<>();
        for (MarkdownPage page : MarkdownPage.documentation()) {
            for (String link : relativeLinks(page)) {
                int hash = link.indexOf('#');
                if (hash < 0) {
                    continue;
                }
                String path = pathOf(link);
                Path target = path.isEmpty() ? page.file() : page.file().resolveSibling(path).normalize();
                if (!target.toString().endsWith(".md") || !Files.exists(target)) {
                    continue;
                }
                if (!MarkdownPage.of(target).anchors().contains(link.substring(hash + 1))) {
                    broken.add(page + ": " + link);
                }
            }
        }
        assertThat(broken).as("links to anchors no heading has").isEmpty();
    }

    @Test
    void theAnchorOfAHeadingIsTheOneGitHubMakes() {
        assertThat(MarkdownPage.anchor("Exchange mailboxes (EWS)")).isEqualTo("exchange-mailboxes-ews");
        assertThat(MarkdownPage.anchor("Only for the mailbox's own user")).isEqualTo("only-for-the-mailboxs-own-user");
        assertThat(MarkdownPage.anchor("10,000 mailboxes on one primary")).isEqualTo("10000-mailboxes-on-one-primary");
        assertThat(MarkdownPage.anchor("Receiving: change notifications, or polling"))
                .isEqualTo("receiving-change-notifications-or-polling");
        assertThat(MarkdownPage.anchor("The `el:` keys")).isEqualTo("the-el-keys");
    }

    @Test
    void theReadmeStaysAFrontDoor() {
        try {
            assertThat(Files.size(RepositoryFiles.root().resolve("README.md"))).as("README.md's size in bytes")
                    .isLessThan(FRONT_DOOR_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theReadmeLinksEveryPageOfTheDocumentation() {
        List<String> linked = MarkdownPage.readme().links().stream().map(DocumentationLinksTest::pathOf).toList();
        List<String> unlinked = new ArrayList<>();
        for (MarkdownPage page : MarkdownPage.documentation()) {
            String name = page.toString();
            if (name.startsWith("docs/") && !linked.contains(name)) {
                unlinked.add(name);
            }
        }
        assertThat(unlinked).as("pages under docs/ the README does not link").isEmpty();
    }

    private static List<String> relativeLinks(MarkdownPage page) {
        return page.links().stream().filter(link -> !link.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")).toList();
    }

    private static String pathOf(String link) {
        int hash = link.indexOf('#');
        return hash < 0 ? link : link.substring(0, hash);
    }
}
