/**
 * The network destinations the listener may call on a caller's behalf, whatever it calls them for
 * (Creatio's callbacks, mail servers): host allow-lists as operators write them, and the addresses
 * never called (cloud instance metadata).
 */
package org.emaillistener.common.net;
