/**
 * What each subscription is doing (connecting, listening, reconnecting, failed) and why, so that
 * {@code subscriptionsstate} and operators can tell without reading logs.
 */
package org.emaillistener.common.state;
