/**
 * The operator console on the management port: a page, its JSON API and the actions, behind the
 * operator key. It lives in the management server's own context, never on the port Creatio calls.
 */
package org.emaillistener.primary.operator.api;
