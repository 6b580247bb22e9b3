package org.emaillistener.common.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;

public class InMemoryParkedMessages implements ParkedMessages {

    private record Key(UUID mailboxId, String folder, long uid) {
    }

    private final ConcurrentHashMap<Key, ParkedMessage> parked = new ConcurrentHashMap<>();

    @Override
    public void park(ParkedMessage message) {
        parked.put(new Key(message.mailboxId(), message.folder(), message.uid()), message);
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
        parked.remove(new Key(mailboxId, folder, uid));
    }

    @Override
    public void removeAll(UUID mailboxId) {
        parked.keySet().removeIf(key -> key.mailboxId().equals(mailboxId));
    }
}
