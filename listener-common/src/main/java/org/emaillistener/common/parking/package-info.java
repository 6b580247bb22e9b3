/**
 * Messages Creatio keeps refusing, set aside so that the mail behind them flows: each is recorded
 * with the reason, visible to operators, and can be delivered again on an operator's request.
 */
package org.emaillistener.common.parking;
