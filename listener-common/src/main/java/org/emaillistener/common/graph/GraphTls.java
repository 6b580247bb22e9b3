package org.emaillistener.common.graph;

import java.security.NoSuchAlgorithmException;

import javax.net.ssl.SSLContext;

/**
 * The TLS of every Graph and Microsoft Entra call: the JDK's default (its trust store and host name
 * check) unless a test provides a bean of its own for its fake server.
 */
public record GraphTls(SSLContext context) {

    public static GraphTls jdkDefault() {
        try {
            return new GraphTls(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
