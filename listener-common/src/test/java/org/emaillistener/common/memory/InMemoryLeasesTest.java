package org.emaillistener.common.memory;

import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.lease.LeasesContract;

class InMemoryLeasesTest extends LeasesContract {

    private final InMemoryLeases leases = new InMemoryLeases();

    @Override
    protected Leases leases() {
        return leases;
    }
}
