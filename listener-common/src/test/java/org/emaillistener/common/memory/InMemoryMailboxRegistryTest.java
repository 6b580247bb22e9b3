package org.emaillistener.common.memory;

import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.MailboxRegistryContract;

class InMemoryMailboxRegistryTest extends MailboxRegistryContract {

    private final InMemoryMailboxRegistry registry = new InMemoryMailboxRegistry();

    @Override
    protected MailboxRegistry registry() {
        return registry;
    }
}
