package org.emaillistener.common.memory;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;

/** The registry of the standalone: a map, and each Creatio host's mailboxes beside it. */
public class InMemoryMailboxRegistry implements MailboxRegistry {

    private final ConcurrentHashMap<UUID, RegisteredMailbox> mailboxes = new ConcurrentHashMap<>();
    /** The mailboxes of each Creatio host; guarded by "this", with the saves and removals that change it. */
    private final Map<String, Set<UUID>> byCreatioHost = new HashMap<>();
    private final InMemoryMailboxChanges changes;

    public InMemoryMailboxRegistry() {
        this(new InMemoryMailboxChanges());
    }

    /** A registry that records its changes in {@code changes}, the log its readers share. */
    public InMemoryMailboxRegistry(InMemoryMailboxChanges changes) {
        this.changes = changes;
    }

    @Override
    public void save(RegisteredMailbox mailbox) {
        saveWithin(mailbox, 0);
    }

    @Override
    public synchronized boolean saveWithin(RegisteredMailbox mailbox, int perCreatioHost) {
        String host = mailbox.creatioHost();
        Set<UUID> ofHost = byCreatioHost.computeIfAbsent(host, h -> new HashSet<>());
        if (perCreatioHost > 0 && !ofHost.contains(mailbox.id()) && ofHost.size() >= perCreatioHost) {
            return false;
        }
        RegisteredMailbox before = mailboxes.put(mailbox.id(), mailbox);
        if (before != null && !before.creatioHost().equals(host)) {
            unindex(before);
        }
        ofHost.add(mailbox.id());
        changes.announce(mailbox.id(), MailboxChange.Kind.REGISTRATION);
        return true;
    }

    @Override
    public synchronized long countFor(String creatioHost) {
        return byCreatioHost.getOrDefault(creatioHost.toLowerCase(java.util.Locale.ROOT), Set.of()).size();
    }

    private void unindex(RegisteredMailbox mailbox) {
        Set<UUID> ofHost = byCreatioHost.get(mailbox.creatioHost());
        if (ofHost != null) {
            ofHost.remove(mailbox.id());
        }
    }

    @Override
    public Optional<RegisteredMailbox> find(UUID id) {
        return Optional.ofNullable(mailboxes.get(id));
    }

    @Override
    public Map<UUID, RegisteredMailbox> findAll(Collection<UUID> ids) {
        Map<UUID, RegisteredMailbox> found = new HashMap<>();
        for (UUID id : ids) {
            RegisteredMailbox mailbox = mailboxes.get(id);
            if (mailbox != null) {
                found.put(id, mailbox);
            }
        }
        return found;
    }

    @Override
    public synchronized boolean remove(UUID id) {
        RegisteredMailbox removed = mailboxes.remove(id);
        if (removed != null) {
            unindex(removed);
            changes.announce(id, MailboxChange.Kind.REGISTRATION);
        }
        return removed != null;
    }

    @Override
    public Set<UUID> ids() {
        return Set.copyOf(mailboxes.keySet());
    }
}
