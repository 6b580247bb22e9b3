package org.emaillistener.common.testing;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Request bodies as Creatio writes them: Newtonsoft with {@code QuoteName=false}, so property names
 * are unquoted (docs/creatio-protocol.md, "Two JSON dialects").
 */
public final class CreatioRequests {

    public static final String IMAP = "844f0837-eaa0-4f40-b965-71f5db9eae6e";
    public static final String EXCHANGE = "3490bd45-4f4d-4613-aa06-454546f3342a";

    private CreatioRequests() {
    }

    /** One IMAP mailbox, password login over plain IMAP (SecureOption None), as Creatio sends it. */
    public static String imapMailbox(UUID id, String host, int port, String user, String password,
            String bpmEndpoint, List<String> folderIds) {
        String folders = folderIds.stream().map(folder -> "\"" + folder + "\"").collect(Collectors.joining(","));
        return "{Id:\"" + id + "\",UserName:\"" + user + "\",Password:\"" + password + "\",UseOAuth:false,"
                + "AccessToken:null,SenderEmailAddress:\"" + user + "\",ServerTypeId:\"" + IMAP + "\","
                + "ServiceUrl:\"" + host + "\",Port:" + port + ",UseSsl:false,SecureOption:0,"
                + "IsAutodiscover:false,AutodiscoverRedirectUrl:null,BpmEndpoint:\"" + bpmEndpoint + "\","
                + "BpmUser:\"Supervisor\",BpmUserWorkspace:\"Default\",BpmUserTimeZone:\"UTC\","
                + "Context:\"{UserRequested:false,HasError:false}\",FolderIds:[" + folders + "],"
                + "FolderClassName:null,SubscriptionTtl:0,UseFullEmail:true,PersonalMetrics:true,"
                + "FeatureValues:{MarkEmailsAsSynchronized:false,UseBinaryData:false}}";
    }

    /**
     * An Exchange mailbox as Creatio registers it: {@code ServiceUrl} is the EWS address, {@code Port}
     * 0, {@code SubscriptionTtl} the streaming connections' lifetime in minutes (0: the default).
     */
    public static String exchangeMailbox(UUID id, String ewsUrl, String user, String password, String bpmEndpoint,
            List<String> folderIds, int subscriptionTtl) {
        return imapMailbox(id, ewsUrl, 0, user, password, bpmEndpoint, folderIds)
                .replace("ServerTypeId:\"" + IMAP + "\"", "ServerTypeId:\"" + EXCHANGE + "\"")
                .replace("SubscriptionTtl:0,", "SubscriptionTtl:" + subscriptionTtl + ",");
    }

    /** The same mailbox logging in with an OAuth access token (XOAUTH2). */
    public static String withOAuth(String mailbox, String accessToken) {
        return mailbox.replace("UseOAuth:false,AccessToken:null,", "UseOAuth:true,AccessToken:\"" + accessToken + "\",");
    }

    public static String array(String... elements) {
        return "[" + String.join(",", elements) + "]";
    }

    public static String ids(UUID... ids) {
        return "[" + List.of(ids).stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]";
    }
}
