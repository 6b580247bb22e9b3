package org.emaillistener.common.memory;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.history.HistoryImports;

public class InMemoryHistoryImports implements HistoryImports {

    private record Key(UUID mailboxId, String filter) {
    }

    private final ConcurrentHashMap<Key, HistoryImport> imports = new ConcurrentHashMap<>();

    @Override
    public boolean start(UUID mailboxId, String filter) {
        HistoryImport fresh = HistoryImport.started(mailboxId, filter);
        Instant now = Instant.now();
        return imports.compute(new Key(mailboxId, filter),
                (key, current) -> current != null && current.running(now) ? current : fresh) == fresh;
    }

    @Override
    public Optional<HistoryImport> find(UUID mailboxId, String filter) {
        return Optional.ofNullable(imports.get(new Key(mailboxId, filter)));
    }

    @Override
    public List<HistoryImport> of(UUID mailboxId) {
        return imports.values().stream().filter(found -> found.mailboxId().equals(mailboxId))
                .sorted(Comparator.comparing(HistoryImport::startedAt)).toList();
    }

    @Override
    public void save(HistoryImport historyImport) {
        imports.compute(new Key(historyImport.mailboxId(), historyImport.filter()),
                (key, current) -> current != null && current.status() == HistoryImport.Status.ENDED
                        && historyImport.status() != HistoryImport.Status.ENDED ? current : historyImport);
    }

    @Override
    public boolean end(UUID mailboxId, String filter) {
        boolean[] ended = new boolean[1];
        imports.computeIfPresent(new Key(mailboxId, filter), (key, current) -> {
            if (current.finished()) {
                return current;
            }
            ended[0] = true;
            return current.ended();
        });
        return ended[0];
    }

    @Override
    public void removeAll(UUID mailboxId) {
        imports.keySet().removeIf(key -> key.mailboxId().equals(mailboxId));
    }
}
