package org.emaillistener.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The deployment files, found from the repository root (Maven passes it; an IDE runs in the module folder). */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    static Path root() {
        return Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();
    }

    static Path chart() {
        return root().resolve("helm/email-listener");
    }

    static Path composeFile() {
        return root().resolve("docker-compose.yml");
    }

    static Path dockerfile() {
        return root().resolve("Dockerfile");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
