/**
 * The secondary role: consumes sync jobs, fetches the mail above each folder's cursor, converts it
 * to Creatio's Email and POSTs it to Creatio, moving the cursor only after Creatio's 2xx.
 */
package org.emaillistener.secondary;
