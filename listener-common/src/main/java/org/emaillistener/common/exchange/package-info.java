/**
 * Reaching an Exchange mailbox over Exchange Web Services: the listener's own small
 * {@link org.emaillistener.common.exchange.ExchangeMailbox} interface, and its one implementation on
 * ews-java-api, kept behind it because that library has been unmaintained since 2018. It knows EWS,
 * not Creatio's delivery.
 */
package org.emaillistener.common.exchange;
