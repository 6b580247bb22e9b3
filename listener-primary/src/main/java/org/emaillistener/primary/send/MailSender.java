package org.emaillistener.primary.send;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.route.ForProtocol;

/**
 * Sends composed messages from the mailboxes of one protocol: the sending role of a route. Each
 * leaves a copy of what it sent in the mailbox's sent mail, the protocol's way.
 */
public interface MailSender extends ForProtocol {

    /**
     * Checks the outgoing server's settings of a send request ({@code Credentials}), before anything
     * is composed.
     *
     * @throws org.emaillistener.primary.mailbox.InvalidSettingsException naming the first field that
     *         cannot be used, by its wire name
     */
    void checkServer(SynchronizationCredentials server);

    /** @throws UnsendableEmailException with a reason the user can act on, without secrets */
    void send(OutgoingMessage message, SynchronizationCredentials server) throws UnsendableEmailException;
}
