/**
 * The operator console's model: every registered mailbox as a row kept current by the stores' change
 * log, paged and filtered in memory; an overview of the deployment; each mailbox's detail read afresh;
 * and the actions operators take, logged. Its web side is {@code operator.api}.
 */
package org.emaillistener.primary.operator;
