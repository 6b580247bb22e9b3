package org.emaillistener.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a benchmark measured, printed as one table: each figure, its target (or none), what was
 * measured and whether it met the target; then notes.
 */
final class ResultTable {

    private static final String NO_TARGET = "-";

    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** One row of the table. */
    record Figure(String name, String target, String measured, boolean pass) {
    }

    void add(String name, String target, String measured, boolean pass) {
        figures.add(new Figure(name, target, measured, pass));
    }

    /** A figure reported as measured, with no target to meet. */
    void report(String name, String measured) {
        add(name, NO_TARGET, measured, true);
    }

    void note(String note) {
        notes.add(note);
    }

    /**
     * The issue-8 footprint targets of a primary: at most 50 KB of heap per held mailbox (after a full
     * GC, with 512 MB in all at the most) and at most 100 platform threads.
     */
    void addFootprint(String process, BenchedService.Footprint before, BenchedService.Footprint after,
            int mailboxes) {
        double perMailbox = (after.heapBytes() - before.heapBytes()) / mailboxes;
        add("heap per held mailbox (after GC)", "<= 50 KB",
                String.format(Locale.ROOT, "%.1f KB (%.0f MB in all, %.0f MB before)", perMailbox / 1024,
                        after.heapBytes() / 1024 / 1024, before.heapBytes() / 1024 / 1024),
                perMailbox <= 50 * 1024 && after.heapBytes() <= 512 * 1024 * 1024);
        add("platform threads of the " + process, "<= 100",
                String.format(Locale.ROOT, "%d (%d before)", after.platformThreads(), before.platformThreads()),
                after.platformThreads() <= 100);
    }

    void print(String heading) {
        System.out.printf("%n%s%n", heading);
        int width = figures.stream().mapToInt(f -> f.name().length()).max().orElse(10);
        int measuredWidth = figures.stream().mapToInt(f -> f.measured().length()).max().orElse(10);
        String format = "| %-" + width + "s | %-12s | %-" + measuredWidth + "s | %-4s |%n";
        System.out.printf(format, "figure", "target", "measured", "");
        System.out.printf(format, "-".repeat(width), "-".repeat(12), "-".repeat(measuredWidth), "----");
        for (Figure figure : figures) {
            String verdict = figure.target().equals(NO_TARGET) ? "" : figure.pass() ? "pass" : "FAIL";
            System.out.printf(format, figure.name(), figure.target(), figure.measured(), verdict);
        }
        notes.forEach(note -> System.out.println("  " + note));
    }
}
