package org.emaillistener.common.creatio;

import java.util.List;
import java.util.UUID;

/**
 * A mailbox as Creatio registers it (create, recreate, update, validate, folders). Component
 * names are the wire names. Secrets are left out of {@link #toString()}.
 */
public record SynchronizationCredentials(
        UUID Id,
        String UserName,
        String Password,
        boolean UseOAuth,
        String AccessToken,
        String SenderEmailAddress,
        UUID ServerTypeId,
        String ServiceUrl,
        int Port,
        boolean UseSsl,
        int SecureOption,
        boolean IsAutodiscover,
        String AutodiscoverRedirectUrl,
        String BpmEndpoint,
        String BpmUser,
        String BpmUserWorkspace,
        String BpmUserTimeZone,
        String Context,
        List<String> FolderIds,
        String FolderClassName,
        int SubscriptionTtl,
        boolean UseFullEmail,
        boolean PersonalMetrics,
        FeatureValues FeatureValues) {

    public SynchronizationCredentials {
        FolderIds = FolderIds == null ? List.of() : List.copyOf(FolderIds);
        FeatureValues = FeatureValues == null ? new FeatureValues(false, false) : FeatureValues;
    }

    public ServerType serverType() {
        return ServerType.of(ServerTypeId).orElseThrow();
    }

    /** Whether Creatio names an Exchange server; false also when it names no known type. */
    public boolean isExchange() {
        return ServerTypeId != null && ServerType.of(ServerTypeId).orElse(null) == ServerType.EXCHANGE;
    }

    /** The secret used to log in: the OAuth access token or the password. */
    public String secret() {
        return UseOAuth ? AccessToken : Password;
    }

    public boolean marksEmailsAsSynchronized() {
        return Boolean.TRUE.equals(FeatureValues.MarkEmailsAsSynchronized());
    }

    @Override
    public String toString() {
        return "SynchronizationCredentials[Id=" + Id + ", UserName=" + UserName + ", ServerTypeId=" + ServerTypeId
                + ", ServiceUrl=" + ServiceUrl + ", Port=" + Port + ", UseSsl=" + UseSsl + ", SecureOption="
                + SecureOption + ", UseOAuth=" + UseOAuth + ", FolderIds=" + FolderIds + ", BpmEndpoint="
                + withoutUserInfo(BpmEndpoint) + "]";
    }

    /** A URL's {@code user:password@} is a secret too. */
    public static String withoutUserInfo(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", "$1***@");
    }

    /** Creatio's per-mailbox feature switches; {@code UseBinaryData} is accepted and ignored. */
    public record FeatureValues(Boolean MarkEmailsAsSynchronized, Boolean UseBinaryData) {
    }
}
