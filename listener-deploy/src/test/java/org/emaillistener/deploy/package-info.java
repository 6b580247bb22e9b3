/**
 * Tests of what ships the applications: the Helm chart, docker-compose.yml, the Dockerfile and the
 * documentation, held to the applications themselves (the properties they read, the probe paths and
 * endpoints they serve, the Redis keys and queues they use). No Docker engine and no cluster are
 * needed: real Helm runs in the JVM through helm-java.
 */
package org.emaillistener.deploy;
