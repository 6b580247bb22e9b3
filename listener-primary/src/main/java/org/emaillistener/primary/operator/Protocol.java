package org.emaillistener.primary.operator;

/** How a mailbox is reached, as the console filters by it. */
public enum Protocol {
    IMAP,
    EWS,
    GRAPH
}
