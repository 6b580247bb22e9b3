package org.emaillistener.primary.subscription;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.emaillistener.common.state.MailboxFailure;

/** What a watcher under test told its subscription, in order; {@code retry} answers its failures. */
public class RecordingEvents implements WatcherEvents {

    public final List<List<String>> listening = new CopyOnWriteArrayList<>();
    /** For each {@link #listening} entry, the folders the watcher said need a catch-up. */
    public final List<List<String>> behind = new CopyOnWriteArrayList<>();
    public final List<String> newMail = new CopyOnWriteArrayList<>();
    public final List<MailboxFailure> failures = new CopyOnWriteArrayList<>();
    public final List<List<String>> safetyChecks = new CopyOnWriteArrayList<>();
    public volatile boolean retry = true;

    @Override
    public void connecting(boolean reconnect) {
    }

    @Override
    public void listening(List<String> folders, List<String> behindNow) {
        behind.add(behindNow);
        listening.add(folders);
    }

    @Override
    public void newMail(String folder) {
        newMail.add(folder);
    }

    @Override
    public void safetyCheck(List<String> folders) {
        safetyChecks.add(folders);
    }

    @Override
    public boolean failed(MailboxFailure failure) {
        failures.add(failure);
        return retry;
    }
}
