package org.emaillistener.primary.graph;

import java.net.http.HttpTimeoutException;

import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphSignInException;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.state.FailureKind;

import com.microsoft.aad.msal4j.MsalServiceException;

/**
 * What kind of failure a Graph call's is, for the answers Creatio shows while it waits (mailbox
 * validation, folders, send). Microsoft Entra refusing the app registration, Graph refusing the app
 * the mailbox (401, 403) or not knowing it (404) are the mailbox's settings to fix; a Graph that
 * cannot be reached or did not answer in time are as for any server; anything else is a protocol
 * failure with Graph's own words.
 */
final class GraphFailures {

    private GraphFailures() {
    }

    static MailboxFailure of(GraphException failure) {
        String message = failure.getMessage();
        if (failure instanceof GraphSignInException) {
            return new MailboxFailure(FailureKind.AUTHENTICATION, message);
        }
        if (failure.status() == 401 || failure.status() == 403 || failure.status() == 404) {
            return new MailboxFailure(FailureKind.AUTHENTICATION,
                    "Microsoft Graph refused access to the mailbox: " + message);
        }
        for (Throwable t = failure.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MsalServiceException) {
                return new MailboxFailure(FailureKind.AUTHENTICATION, message);
            }
            if (t instanceof HttpTimeoutException) {
                return new MailboxFailure(FailureKind.TIMEOUT, "Microsoft Graph did not answer in time: " + message);
            }
        }
        if (failure.status() == 0 && failure.getCause() != null) {
            MailboxFailure network = MailboxFailure.of(failure.getCause());
            if (network.kind() != FailureKind.PROTOCOL) {
                return new MailboxFailure(network.kind(), message);
            }
        }
        return new MailboxFailure(FailureKind.PROTOCOL, message);
    }
}
