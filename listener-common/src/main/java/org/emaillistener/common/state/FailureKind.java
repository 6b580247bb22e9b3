package org.emaillistener.common.state;

/**
 * Why a mailbox could not be reached, in the terms Creatio shows its users. The
 * {@code exceptionClassName} is what {@code ProcessMailboxState} carries: Creatio maps the last dotted
 * segment of it to a message, and these are the .NET exception names the original listener (a .NET
 * service) reported.
 */
public enum FailureKind {
    AUTHENTICATION("MailKit.Security.AuthenticationException", false),
    UNREACHABLE("System.Net.Sockets.SocketException", true),
    TLS("MailKit.Security.SslHandshakeException", true),
    TIMEOUT("System.TimeoutException", true),
    PROTOCOL("MailKit.Net.Imap.ImapProtocolException", true);

    private final String exceptionClassName;
    private final boolean retried;

    FailureKind(String exceptionClassName, boolean retried) {
        this.exceptionClassName = exceptionClassName;
        this.retried = retried;
    }

    public String exceptionClassName() {
        return exceptionClassName;
    }

    /**
     * Whether the subscription keeps trying after this failure. A wrong password is not retried: it
     * would only lock the account; Creatio's recreate/update brings new credentials.
     */
    public boolean retried() {
        return retried;
    }
}
