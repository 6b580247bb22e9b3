/**
 * Test fixtures shared by the modules' tests: a real HTTP server standing in for Creatio, and
 * Creatio's request bodies in its own dialect.
 */
package org.emaillistener.common.testing;
