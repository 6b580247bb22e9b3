/**
 * Test fixtures shared by the modules' tests: a real HTTP server standing in for Creatio, Creatio's
 * request bodies in its own dialect, a fake Exchange server speaking EWS SOAP ({@link
 * org.emaillistener.common.testing.FakeExchange}), and the real Redis and RabbitMQ to run the
 * adapters against.
 */
package org.emaillistener.common.testing;
