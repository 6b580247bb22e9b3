package org.emaillistener.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One Markdown page of the repository, read as GitHub renders it: its headings and their anchors, its
 * links, and its sections, all outside fenced code blocks (a {@code # comment} in a shell example is
 * no heading).
 */
final class MarkdownPage {

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    /** What GitHub drops from a heading's text to make its anchor: all but letters, digits, '_', '-' and spaces. */
    private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

    private final Path file;
    private final String text;
    /** The page's lines, those inside fenced code blocks blanked. */
    private final List<String> prose;

    private MarkdownPage(Path file, String text) {
        this.file = file;
        this.text = text;
        this.prose = new ArrayList<>();
        boolean inCode = false;
        for (String line : text.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                inCode = !inCode;
                prose.add("");
            } else {
                prose.add(inCode ? "" : line);
            }
        }
    }

    static MarkdownPage of(Path file) {
        try {
            return new MarkdownPage(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MarkdownPage readme() {
        return of(RepositoryFiles.root().resolve("README.md"));
    }

    static MarkdownPage doc(String name) {
        return of(RepositoryFiles.root().resolve("docs").resolve(name));
    }

    /** README.md, every page under docs/ and the chart's README. */
    static List<MarkdownPage> documentation() {
        List<MarkdownPage> pages = new ArrayList<>();
        pages.add(readme());
        try (Stream<Path> docs = Files.list(RepositoryFiles.root().resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().map(MarkdownPage::of).forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pages.add(of(RepositoryFiles.chart().resolve("README.md")));
        return pages;
    }

    Path file() {
        return file;
    }

    /** The whole page, code blocks (and the diagrams in them) included. */
    String text() {
        return text;
    }

    /** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces turned into hyphens. */
    static String anchor(String heading) {
        String lower = heading.toLowerCase(Locale.ROOT);
        return NOT_IN_ANCHOR.matcher(lower).replaceAll("").replace(' ', '-');
    }

    /** The anchors of the page's headings; a repeated one is numbered as GitHub numbers it ({@code -1}, …). */
    Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        for (String heading : headings()) {
            String anchor = anchor(heading);
            String unique = anchor;
            for (int n = 1; anchors.contains(unique); n++) {
                unique = anchor + "-" + n;
            }
            anchors.add(unique);
        }
        return anchors;
    }

    List<String> headings() {
        List<String> headings = new ArrayList<>();
        for (String line : prose) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                headings.add(heading.group(2));
            }
        }
        return headings;
    }

    /** The target of every inline link outside code, as written ({@code docs/x.md#anchor}, {@code #anchor}, a URL). */
    List<String> links() {
        List<String> links = new ArrayList<>();
        String outsideCode = INLINE_CODE.matcher(String.join("\n", prose)).replaceAll("");
        Matcher link = LINK.matcher(outsideCode);
        while (link.find()) {
            links.add(link.group(1));
        }
        return links;
    }

    /**
     * The lines under the heading of this text, up to the next heading of the same or a higher level;
     * code blocks blanked.
     *
     * @throws IllegalArgumentException when the page has no such heading
     */
    List<String> section(String title) {
        int level = 0;
        List<String> section = new ArrayList<>();
        for (String line : prose) {
            Matcher heading = HEADING.matcher(line);
            if (level > 0 && heading.matches() && heading.group(1).length() <= level) {
                return section;
            }
            if (level > 0) {
                section.add(line);
            } else if (heading.matches() && heading.group(2).equals(title)) {
                level = heading.group(1).length();
            }
        }
        if (level == 0) {
            throw new IllegalArgumentException(file + " has no heading \"" + title + "\"");
        }
        return section;
    }

    /** The cells of every table row in these lines, header and delimiter rows left out. */
    static List<List<String>> tableRows(List<String> lines) {
        List<List<String>> rows = new ArrayList<>();
        boolean header = true;
        for (String line : lines) {
            if (!line.startsWith("|")) {
                header = true;
                continue;
            }
            if (line.matches("\\|[\\s|:-]+\\|?")) {
                continue;
            }
            if (header) {
                header = false;
                continue;
            }
            List<String> cells = new ArrayList<>();
            // A cell may hold an escaped pipe (`rank\|reason`): split on the others.
            for (String cell : line.substring(1).split("(?<!\\\\)\\|", -1)) {
                cells.add(cell.strip());
            }
            rows.add(cells);
        }
        return rows;
    }

    @Override
    public String toString() {
        return RepositoryFiles.root().relativize(file).toString();
    }
}
