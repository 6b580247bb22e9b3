/**
 * The operator API over HTTP ({@code /operator/…}): the served mailboxes as operators need to see
 * them, parked messages and dead letters to deliver again, all behind the operator's API key.
 */
package org.emaillistener.primary.operator.api;
