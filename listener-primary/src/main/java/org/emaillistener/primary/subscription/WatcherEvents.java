package org.emaillistener.primary.subscription;

import java.util.List;

import org.emaillistener.common.state.MailboxFailure;

/** What a {@link MailboxWatcher} tells its subscription. */
public interface WatcherEvents {

    /** A connection attempt starts; {@code reconnect} after a failure. */
    void connecting(boolean reconnect);

    /** Connected and watching these folders; mail may have arrived in any while nobody was watching. */
    default void listening(List<String> folders) {
        listening(folders, folders);
    }

    /**
     * Connected and watching {@code folders}, of which only {@code behind} may hold mail that arrived
     * while nobody was watching (the server said so): the others need no catch-up sync.
     */
    void listening(List<String> folders, List<String> behind);

    /** The server says a folder may have new mail. */
    void newMail(String folder);

    /**
     * Time for the periodic safety check of these folders: a sync finds whatever an IDLE event that
     * never came (a server's bug, a lost packet) would have announced.
     */
    void safetyCheck(List<String> folders);

    /**
     * The connection failed or could not be made.
     *
     * @return whether the watcher should try again (after a back-off)
     */
    boolean failed(MailboxFailure failure);
}
