package org.emaillistener.common.memory;

import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.history.HistoryImportsContract;

class InMemoryHistoryImportsTest extends HistoryImportsContract {

    private final InMemoryHistoryImports imports = new InMemoryHistoryImports();

    @Override
    protected HistoryImports imports() {
        return imports;
    }
}
