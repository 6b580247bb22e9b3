package org.emaillistener.common.memory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;

public class InMemoryMailboxRegistry implements MailboxRegistry {

    private final ConcurrentHashMap<UUID, RegisteredMailbox> mailboxes = new ConcurrentHashMap<>();

    @Override
    public void save(RegisteredMailbox mailbox) {
        mailboxes.put(mailbox.id(), mailbox);
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
    public boolean remove(UUID id) {
        return mailboxes.remove(id) != null;
    }

    @Override
    public Set<UUID> ids() {
        return Set.copyOf(mailboxes.keySet());
    }
}
