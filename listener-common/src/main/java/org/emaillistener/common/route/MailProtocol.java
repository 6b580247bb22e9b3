package org.emaillistener.common.route;

/** The protocols the listener reaches a mailbox by. */
public enum MailProtocol {
    /** IMAP to receive, SMTP to send: every mailbox Creatio registers as IMAP. */
    IMAP,
    /** Exchange Web Services: an Exchange mailbox that Microsoft Graph does not serve. */
    EWS,
    /** Microsoft Graph with the listener's own app registration: an Exchange Online mailbox of a configured tenant. */
    GRAPH
}
