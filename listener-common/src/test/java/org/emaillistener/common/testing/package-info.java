/**
 * Test fixtures shared by the modules' tests: a real HTTP server standing in for Creatio, Creatio's
 * request bodies in its own dialect, a fake Exchange server speaking EWS SOAP ({@link
 * org.emaillistener.common.testing.FakeExchange}), a fake Microsoft Graph ({@link
 * org.emaillistener.common.testing.FakeGraph}) with a certificate for the loopback address that a
 * service process can trust ({@link org.emaillistener.common.testing.LoopbackCertificate}), and the
 * real Redis and RabbitMQ to run the adapters against.
 */
package org.emaillistener.common.testing;
