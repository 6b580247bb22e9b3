package org.emaillistener.common.route;

/** One protocol's implementation of a role: which protocol's it is. */
public interface ForProtocol {

    MailProtocol protocol();
}
