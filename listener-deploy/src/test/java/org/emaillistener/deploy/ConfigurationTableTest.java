package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The configuration table of docs/operations.md against Spring's configuration metadata: every
 * {@code listener.*} property the applications read has its row, every row names a property they
 * read, and a default the table gives is the one the metadata gives.
 */
class ConfigurationTableTest {

    private static final Pattern PROPERTY = Pattern.compile("`([a-z][a-z0-9.\\[\\]-]+)`");

    private static ConfigurationMetadata metadata;
    /** Each row's property, to its default as written. */
    private static Map<String, String> table;

    @BeforeAll
    static void readTheTableAndTheMetadata() {
        metadata = ConfigurationMetadata.load();
        table = new LinkedHashMap<>();
        for (List<String> row : MarkdownPage.tableRows(MarkdownPage.doc("operations.md").section("Configuration"))) {
            Matcher property = PROPERTY.matcher(row.get(0));
            assertThat(property.matches()).as("a row names one property in code quotes: %s", row.get(0)).isTrue();
            table.put(property.group(1), row.get(1));
        }
    }

    @Test
    void everyListenerPropertyTheApplicationsReadHasItsRow() {
        assertThat(table.keySet()).containsAll(metadata.propertiesStartingWith("listener."));
    }

    @Test
    void everyRowNamesAPropertyTheApplicationsRead() {
        List<String> unknown = new ArrayList<>();
        for (String property : table.keySet()) {
            if (!metadata.describesOrElement(property)) {
                unknown.add(property);
            }
        }
        assertThat(unknown).as("properties of the table no configuration metadata describes").isEmpty();
    }

    @Test
    void everyDefaultTheMetadataGivesIsTheTables() {
        List<String> wrong = new ArrayList<>();
        table.forEach((property, written) -> {
            String cell = written.replace("`", "").toLowerCase(Locale.ROOT);
            for (String element : metadata.defaultOf(property)) {
                // A whole value of the cell: the default 1 is not the 10 of another row.
                Pattern value = Pattern.compile("(?<![\\w.:/-])" + Pattern.quote(element.toLowerCase(Locale.ROOT))
                        + "(?![\\w.:/-])");
                if (!value.matcher(cell).find()) {
                    wrong.add(property + ": the table says " + written + ", the metadata " + element);
                }
            }
        });
        assertThat(wrong).as("defaults the table gives otherwise than the applications").isEmpty();
    }
}
