package org.emaillistener.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Dockerfile's {@code build} stage, read from the file and replayed without Docker: its
 * {@code COPY} lines copy exactly what they name from the repository (less what {@code .dockerignore}
 * leaves out of the build context) into an empty folder standing for its {@code WORKDIR}, and its
 * {@code RUN} lines run there in bash, their {@code --mount} options dropped (the Maven cache they
 * mount is this machine's own repository) and absolute paths kept under the folder. What the build
 * needs and the file does not copy is missing there, as it would be in the image.
 */
final class DockerBuildStage {

    private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+\\S+(?:\\s+AS\\s+(\\S+))?$");
    private static final Pattern MOUNT = Pattern.compile("--mount=\\S+\\s*");

    /** One instruction of the stage, its continuation lines joined. */
    record Instruction(String keyword, String arguments) {
    }

    private final List<Instruction> instructions;

    private DockerBuildStage(List<Instruction> instructions) {
        this.instructions = instructions;
    }

    /** The stage named {@code name} of the Dockerfile's text. */
    static DockerBuildStage of(String dockerfile, String name) {
        List<Instruction> stage = new ArrayList<>();
        boolean inStage = false;
        for (String line : logicalLines(dockerfile)) {
            Matcher from = FROM.matcher(line);
            if (from.matches()) {
                inStage = name.equals(from.group(1));
                continue;
            }
            if (inStage) {
                int space = line.indexOf(' ');
                stage.add(new Instruction(line.substring(0, space).toUpperCase(java.util.Locale.ROOT),
                        line.substring(space + 1).trim()));
            }
        }
        if (stage.isEmpty()) {
            throw new IllegalArgumentException("The Dockerfile has no stage " + name);
        }
        return new DockerBuildStage(stage);
    }

    List<Instruction> instructions() {
        return instructions;
    }

    /** The stage's build arguments ({@code ARG NAME=default}) with their defaults, for its RUN lines' environment. */
    java.util.Map<String, String> args() {
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
        for (Instruction arg : instructions) {
            if (arg.keyword().equals("ARG")) {
                String[] nameAndDefault = arg.arguments().split("=", 2);
                args.put(nameAndDefault[0], nameAndDefault.length == 2
                        ? nameAndDefault[1].replaceAll("^\"|\"$", "") : "");
            }
        }
        return args;
    }

    /** The WORKDIR the stage runs in (absolute, as in the image). */
    String workdir() {
        return instructions.stream().filter(i -> i.keyword().equals("WORKDIR")).map(Instruction::arguments)
                .reduce((first, last) -> last).orElse("/");
    }

    /**
     * Copies what the stage's COPY lines name from {@code context} into {@code image}, which stands for
     * the image's root; returns the folder standing for the WORKDIR.
     */
    Path copy(Path context, Path image) throws IOException {
        List<PathMatcher> ignored = dockerignore(context);
        Path workdir = image.resolve(workdir().substring(1));
        Files.createDirectories(workdir);
        for (Instruction copy : instructions) {
            if (!copy.keyword().equals("COPY")) {
                continue;
            }
            List<String> paths = List.of(copy.arguments().split("\\s+"));
            if (paths.getFirst().startsWith("--")) {
                throw new IllegalStateException("The build stage copies with an option the replay does not know: "
                        + copy.arguments());
            }
            String destination = paths.getLast();
            Path target = destination.startsWith("/") ? image.resolve(destination.substring(1))
                    : workdir.resolve(destination);
            for (String source : paths.subList(0, paths.size() - 1)) {
                Path from = context.resolve(source);
                if (!Files.exists(from)) {
                    throw new IllegalStateException("COPY " + source + ": not in the build context");
                }
                if (Files.isDirectory(from)) {
                    copyTree(context, from, target, ignored);
                } else {
                    Path to = destination.endsWith("/") ? target.resolve(from.getFileName()) : target;
                    Files.createDirectories(to.getParent());
                    Files.copy(from, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return workdir;
    }

    /**
     * The stage's RUN commands as bash runs them in the replay: without {@code --mount} options, and
     * with every absolute path the stage writes to ({@code /layers}) under {@code image}.
     */
    List<String> commands(Path image) {
        List<String> commands = new ArrayList<>();
        for (Instruction run : instructions) {
            if (run.keyword().equals("RUN")) {
                String command = MOUNT.matcher(run.arguments()).replaceAll("");
                commands.add(command.replace(" /layers", " " + image.resolve("layers")));
            }
        }
        return commands;
    }

    private static void copyTree(Path context, Path from, Path to, List<PathMatcher> ignored) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = context.relativize(file);
                if (ignored.stream().anyMatch(pattern -> matchesItOrAParent(pattern, relative))) {
                    continue;
                }
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean matchesItOrAParent(PathMatcher pattern, Path relative) {
        for (Path p = relative; p != null; p = p.getParent()) {
            if (pattern.matches(p)) {
                return true;
            }
        }
        return false;
    }

    /** {@code .dockerignore}'s patterns (Go's filepath.Match with {@code **}), as glob matchers. */
    private static List<PathMatcher> dockerignore(Path context) {
        Path file = context.resolve(".dockerignore");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<PathMatcher> matchers = new ArrayList<>();
        for (String line : RepositoryFiles.read(file).split("\\R")) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            if (pattern.startsWith("!")) {
                throw new IllegalStateException(".dockerignore exceptions are not replayed: " + pattern);
            }
            pattern = pattern.replaceAll("/+$", "");
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
            if (pattern.startsWith("**/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
            }
        }
        return matchers;
    }

    /** The Dockerfile's lines with continuations ({@code \} at the end) joined and comments dropped. */
    private static List<String> logicalLines(String dockerfile) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : dockerfile.split("\\R")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            if (!current.toString().isBlank()) {
                lines.add(current.toString().trim());
            }
            current.setLength(0);
        }
        return lines;
    }

    static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
