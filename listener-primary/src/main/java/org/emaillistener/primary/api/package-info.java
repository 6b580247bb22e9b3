/**
 * Creatio's REST API of the listener, exactly as docs/creatio-protocol.md describes it ("Endpoints the
 * listener serves"): request bodies in Creatio's unquoted JSON dialect, and every bad input answered
 * with HTTP 400 and a JSON body that names the problem.
 */
package org.emaillistener.primary.api;
