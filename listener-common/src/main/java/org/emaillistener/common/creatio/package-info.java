/**
 * Creatio's side of the wire: the records Creatio sends and receives, named exactly as on the wire
 * (see docs/creatio-protocol.md), the JSON dialect Creatio speaks, and the client for its callbacks.
 * Nothing here knows IMAP.
 */
package org.emaillistener.common.creatio;
