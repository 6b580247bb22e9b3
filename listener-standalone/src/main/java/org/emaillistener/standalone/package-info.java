/**
 * Primary and secondary in one JVM on the in-memory adapters: the service a newcomer starts with
 * one command, with no Redis and no RabbitMQ.
 */
package org.emaillistener.standalone;
