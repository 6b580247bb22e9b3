/**
 * Tests of what ships the applications: the Helm chart, docker-compose.yml and the Dockerfile, held to
 * the applications themselves (the properties they read, the probe paths they serve). No Docker engine
 * and no cluster are needed: real Helm runs in the JVM through helm-java.
 */
package org.emaillistener.deploy;
