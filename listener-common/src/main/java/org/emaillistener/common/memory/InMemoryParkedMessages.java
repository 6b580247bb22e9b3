package org.emaillistener.common.memory;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;

public class InMemoryParkedMessages implements ParkedMessages {

    private record Key(UUID mailboxId, String folder, long uid) {
    }

    private final ConcurrentHashMap<Key, ParkedMessage> parked = new ConcurrentHashMap<>();

    private final InMemoryMailboxChanges changes;

    public InMemoryParkedMessages() {
        this(new InMemoryMailboxChanges());
    }

    /** A store that records its changes in {@code changes}, the log its readers share. */
    public InMemoryParkedMessages(InMemoryMailboxChanges changes) {
        this.changes = changes;
    }

    @Override
    public void park(ParkedMessage message) {
        parked.put(new Key(message.mailboxId(), message.folder(), message.uid()), message);
        changes.announce(message.mailboxId(), MailboxChange.Kind.PARKED);
    }

    @Override
    public List<ParkedMessage> of(UUID mailboxId) {
        return parked.values().stream().filter(message -> message.mailboxId().equals(mailboxId))
                .sorted(Comparator.comparing(ParkedMessage::parkedAt)).toList();
    }

    @Override
    public Optional<ParkedMessage> find(UUID mailboxId, String folder, long uid) {
        return Optional.ofNullable(parked.get(new Key(mailboxId, folder, uid)));
    }

    @Override
    public void remove(UUID mailboxId, String folder, long uid) {
        if (parked.remove(new Key(mailboxId, folder, uid)) != null) {
            changes.announce(mailboxId, MailboxChange.Kind.PARKED);
        }
    }

    @Override
    public void removeAll(UUID mailboxId) {
        if (parked.keySet().removeIf(key -> key.mailboxId().equals(mailboxId))) {
            changes.announce(mailboxId, MailboxChange.Kind.PARKED);
        }
    }

    @Override
    public Map<UUID, Integer> counts(Collection<UUID> mailboxIds) {
        Set<UUID> wanted = Set.copyOf(mailboxIds);
        Map<UUID, Integer> counts = new HashMap<>();
        parked.keySet().stream().map(Key::mailboxId).filter(wanted::contains)
                .forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }
}
