package org.emaillistener.primary.ownership;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;

import org.springframework.stereotype.Component;

/**
 * This replica's name in the leases, and its incarnation: a token of this process, which a restarted
 * replica (same name) does not share. What the replica made on a mail server (Graph's subscriptions)
 * carries both, so that any replica can tell what a dead or restarted one left behind.
 */
@Component
public class ReplicaIdentity {

    private final String name;
    private final String incarnation;

    public ReplicaIdentity(OwnershipProperties properties) {
        this.name = nameOf(properties.replicaId());
        this.incarnation = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    }

    public String name() {
        return name;
    }

    /** Letters and digits only. */
    public String incarnation() {
        return incarnation;
    }

    /** The configured name, else Creatio's {@code PodName} variable, else the host name and process id. */
    static String nameOf(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String podName = System.getenv("PodName");
        if (podName != null && !podName.isBlank()) {
            return podName;
        }
        long pid = ProcessHandle.current().pid();
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + pid;
        } catch (UnknownHostException e) {
            return "replica-" + pid;
        }
    }
}
