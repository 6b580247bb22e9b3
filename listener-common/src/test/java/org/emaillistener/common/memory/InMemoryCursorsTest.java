package org.emaillistener.common.memory;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.CursorsContract;

class InMemoryCursorsTest extends CursorsContract {

    private final InMemoryCursors cursors = new InMemoryCursors();

    @Override
    protected Cursors cursors() {
        return cursors;
    }
}
