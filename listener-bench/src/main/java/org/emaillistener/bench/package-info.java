/**
 * Benchmarks that anyone can rerun: they start the service as a separate process, a real mail
 * server and a Creatio stand-in on loopback, drive a scenario and print what they measured.
 */
package org.emaillistener.bench;
