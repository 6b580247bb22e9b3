package org.emaillistener.primary.subscription;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.MailboxStateReport;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionState.Status;
import org.emaillistener.common.state.SubscriptionStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * One mailbox's subscription: turns its watcher's events into sync jobs, subscription states and
 * Creatio callbacks. A failure is reported to Creatio once ({@code ProcessMailboxState} with
 * {@code Avaliable=false}), and the recovery once; an OAuth mailbox whose login is refused first asks
 * Creatio for a fresh token ({@code RefreshToken}), which Creatio delivers through
 * {@code /api/listeners/update} while that call is still open: that replaces this subscription, so
 * nothing here is locked while the call runs.
 */
class Subscription implements WatcherEvents {

    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    private final RegisteredMailbox mailbox;
    private final MailboxRegistry registry;
    private final SubscriptionStates states;
    private final SyncJobOutbox jobs;
    private final CreatioClient creatio;
    private final MeterRegistry meters;
    private MailboxWatcher watcher;
    private volatile FailureKind failure;
    private volatile SubscriptionState listening;
    private volatile boolean stopped;
    private volatile FailureKind reportedFailure;
    private volatile boolean owesAvailability;
    /** Connection failures since the watcher last listened, for operators. */
    private volatile int failuresInARow;
    private volatile boolean tokenRefreshRequested;
    /** Whether the watcher logs in with Creatio's OAuth token: not so through Graph, which uses the app's own. */
    private final boolean usesCreatioToken;

    Subscription(RegisteredMailbox mailbox, boolean usesCreatioToken, MailboxRegistry registry,
            SubscriptionStates states, SyncJobOutbox jobs, CreatioClient creatio, MeterRegistry meters) {
        this.mailbox = mailbox;
        this.usesCreatioToken = usesCreatioToken;
        this.registry = registry;
        this.meters = meters;
        this.states = states;
        this.jobs = jobs;
        this.creatio = creatio;
    }

    RegisteredMailbox mailbox() {
        return mailbox;
    }

    /** The kind of the last connection failure, or null while listening. */
    FailureKind failure() {
        return failure;
    }

    void attach(MailboxWatcher watcher) {
        this.watcher = watcher;
    }

    void start() {
        watcher.start();
    }

    void stop() {
        stopped = true;
        watcher.stop();
    }

    /** Creatio was told the mailbox could not be served (no capacity): it is told once it listens. */
    void owesAvailability() {
        owesAvailability = true;
    }

    /** A replacement subscription still owes Creatio the news of a recovery its predecessor's failure. */
    void inheritReportedFailure(Subscription predecessor) {
        reportedFailure = predecessor.reportedFailure;
        owesAvailability = predecessor.owesAvailability;
        failuresInARow = predecessor.failuresInARow;
    }

    @Override
    public void connecting(boolean reconnect) {
        if (!stopped && reconnect) {
            states.find(mailbox.id()).ifPresent(current -> states.save(mailbox.id(),
                    new SubscriptionState(Status.RECONNECTING, current.errorKind(), current.errorMessage(),
                            current.since(), null, current.failures())));
        }
    }

    @Override
    public void listening(List<String> folders, List<String> behind) {
        if (stopped) {
            return;
        }
        failure = null;
        failuresInARow = 0;
        listening = SubscriptionState.of(Status.LISTENING);
        states.save(mailbox.id(), listening);
        log.info("Mailbox {} listening on {}", mailbox.id(), folders);
        behind.forEach(folder -> jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.CONNECTED)));
        if (reportedFailure != null || owesAvailability) {
            report(MailboxStateReport.available(mailbox.credentials()));
            reportedFailure = null;
            owesAvailability = false;
        }
    }

    @Override
    public void newMail(String folder) {
        if (!stopped) {
            jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.NEW_MAIL));
            SubscriptionState current = listening;
            if (current != null) {
                states.save(mailbox.id(), current.withEventAt(Instant.now()));
            }
        }
    }

    @Override
    public void safetyCheck(List<String> folders) {
        if (!stopped) {
            folders.forEach(folder -> jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.PERIODIC)));
        }
    }

    @Override
    public boolean failed(MailboxFailure failure) {
        if (stopped) {
            return false;
        }
        if (failure.kind() == FailureKind.AUTHENTICATION && usesCreatioToken && mailbox.credentials().UseOAuth()
                && !tokenRefreshRequested) {
            tokenRefreshRequested = true;
            if (requestTokenRefresh()) {
                // Creatio sent a new token through /update, which replaced this subscription.
                return false;
            }
        }
        if (stopped) {
            return false;
        }
        boolean retried = failure.kind().retried();
        this.failure = failure.kind();
        failuresInARow++;
        if (retried) {
            meters.counter("email.listener.reconnects", "kind", failure.kind().name().toLowerCase(Locale.ROOT))
                    .increment();
        }
        states.save(mailbox.id(),
                SubscriptionState.failing(retried ? Status.RECONNECTING : Status.FAILED, failure.kind(),
                        failure.message(), failuresInARow));
        if (reportedFailure != failure.kind()) {
            reportedFailure = failure.kind();
            report(MailboxStateReport.unavailable(mailbox.credentials(), failure.kind().exceptionClassName(),
                    failure.message()));
        }
        return retried;
    }

    /**
     * @return whether Creatio sent new credentials while it handled the request: this subscription
     *         was replaced (the update reached this replica), or the registry holds them (it reached
     *         another replica, and this one's next ownership round restarts the subscription)
     */
    private boolean requestTokenRefresh() {
        try {
            log.info("Mailbox {}: the OAuth token was refused; asking Creatio for a fresh one", mailbox.id());
            creatio.requestTokenRefresh(mailbox.credentials());
        } catch (CreatioCallFailedException e) {
            log.warn("Mailbox {}: RefreshToken failed: {}", mailbox.id(), e.getMessage());
        }
        return stopped || registry.find(mailbox.id())
                .map(current -> !current.credentials().equals(mailbox.credentials())).orElse(false);
    }

    private void report(MailboxStateReport report) {
        try {
            creatio.reportMailboxState(mailbox.credentials(), report);
        } catch (CreatioCallFailedException e) {
            log.warn("Mailbox {}: ProcessMailboxState (Avaliable={}) failed: {}", mailbox.id(), report.Avaliable(),
                    e.getMessage());
        }
    }
}
