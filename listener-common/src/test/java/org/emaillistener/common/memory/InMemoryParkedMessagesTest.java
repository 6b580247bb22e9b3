package org.emaillistener.common.memory;

import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.parking.ParkedMessagesContract;

class InMemoryParkedMessagesTest extends ParkedMessagesContract {

    private final InMemoryParkedMessages parked = new InMemoryParkedMessages();

    @Override
    protected ParkedMessages parked() {
        return parked;
    }
}
