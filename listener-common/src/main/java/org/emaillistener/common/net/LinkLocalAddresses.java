package org.emaillistener.common.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Addresses the listener never calls, whoever names them: link-local ones (169.254.0.0/16 and
 * fe80::/10), where clouds answer instance metadata and hand out credentials (169.254.169.254), and
 * AWS's IPv6 metadata endpoint fd00:ec2::254.
 */
public final class LinkLocalAddresses {

    private static final byte[] AWS_METADATA_V6 = { (byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0x02, 0x54 };

    private LinkLocalAddresses() {
    }

    public static boolean isMetadataOrLinkLocal(InetAddress address) {
        if (address.isLinkLocalAddress()) {
            return true;
        }
        return address instanceof Inet6Address && Arrays.equals(address.getAddress(), AWS_METADATA_V6);
    }
}
