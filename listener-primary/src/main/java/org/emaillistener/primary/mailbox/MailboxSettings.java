package org.emaillistener.primary.mailbox;

import java.net.URI;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerDestinations;
import org.emaillistener.common.route.ForProtocol;

/**
 * What one protocol requires of the settings Creatio sends before anything is registered or asked
 * of a server: the validating role of a route. Messages name the field by its wire name and never
 * echo a secret.
 */
public interface MailboxSettings extends ForProtocol {

    /**
     * Checks that the settings name a server of this route that the listener may connect to (validate,
     * folders, create, recreate, update, a history import's).
     *
     * @throws InvalidSettingsException naming the first field that does not
     */
    void checkServer(SynchronizationCredentials mailbox);

    /**
     * Checks that the mailbox may be registered to deliver its mail to the Creatio at {@code endpoint}
     * (create, recreate, update); a route that reads mail with the mailbox's own login has nothing to check.
     */
    default void checkSubscriber(SynchronizationCredentials mailbox, URI endpoint)
            throws SubscriberNotVerifiedException {
    }

    /**
     * Creatio's {@code Filters} of a history import for this route, as the import reads it.
     *
     * @throws InvalidSettingsException when it is not what Creatio sends for such a mailbox
     */
    String historyFilter(String filters);

    /** @throws InvalidSettingsException with the message unless the condition holds */
    static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingsException(message);
        }
    }

    /** A mail server the operator's {@code listener.mail-servers.allowed-hosts} names (when it names any). */
    static void requireAllowed(MailServerDestinations destinations, String host) {
        require(destinations.allows(host), "ServiceUrl " + host + " is not a mail server this listener connects "
                + "to: its administrator names the allowed ones in " + MailServerDestinations.SETTING);
    }

    static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }
}
