package org.emaillistener.common.memory;

import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.OneOffMailboxesContract;

class InMemoryOneOffMailboxesTest extends OneOffMailboxesContract {

    private final InMemoryOneOffMailboxes oneOffs = new InMemoryOneOffMailboxes();

    @Override
    protected OneOffMailboxes oneOffs() {
        return oneOffs;
    }
}
