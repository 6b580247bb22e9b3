/**
 * Encryption of mailbox credentials at rest: AES-256-GCM under a key from the deployment's secrets,
 * with a previous key still accepted for reading while keys are rotated. The stores seal what they
 * write here; nothing else in the service sees ciphertext.
 */
package org.emaillistener.common.crypto;
