/**
 * Whether this listener can reach Creatio over HTTP, as Creatio asks before it relies on the
 * callbacks ({@code /api/availability/app}): the one place where the listener calls a URL it was
 * handed only to test it.
 */
package org.emaillistener.primary.availability;
