/**
 * Exchange Online through Microsoft Graph: which configured tenant serves an Exchange mailbox (its
 * route goes through Graph exactly then), the listener's own app-only tokens (one Microsoft Entra app
 * registration per tenant), and a small Graph mail client over the JDK's HttpClient. Nothing here is
 * used unless {@code listener.graph.tenants} names a tenant.
 */
package org.emaillistener.common.graph;
