package org.emaillistener.common.memory;

import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.cursor.DeliveredMessagesContract;

class InMemoryDeliveredMessagesTest extends DeliveredMessagesContract {

    private final InMemoryDeliveredMessages delivered = new InMemoryDeliveredMessages(WINDOW);

    @Override
    protected DeliveredMessages delivered() {
        return delivered;
    }
}
