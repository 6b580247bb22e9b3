package org.emaillistener.common.testing;

import java.util.ArrayList;
import java.util.List;

import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;
import org.w3c.dom.Element;

/** SOAP Autodiscover (autodiscover.svc) of {@link FakeExchange}: GetUserSettings. */
final class AutodiscoverResponder {

    private static final String A = EwsXmlWriter.AUTODISCOVER;

    private final FakeMailboxStore store;

    AutodiscoverResponder(FakeMailboxStore store) {
        this.store = store;
    }

    /**
     * SOAP Autodiscover's GetUserSettings, in the WCF dialect Exchange's autodiscover.svc writes:
     * a:Action and h:ServerVersionInfo headers, then per user an ErrorCode, ErrorMessage,
     * RedirectTarget, UserSettingErrors and UserSettings.
     */
    String getUserSettings(Element request, String scripted, String redirect, String ewsUrl) {
        Element body = EwsDom.child(request, A, "Request");
        List<String> users = EwsDom.children(EwsDom.child(body, A, "Users"), A, "User").stream()
                .map(user -> EwsDom.text(user, A, "Mailbox")).toList();
        List<String> settings = EwsDom.children(EwsDom.child(body, A, "RequestedSettings"), A, "Setting").stream()
                .map(setting -> setting.getTextContent().trim()).toList();
        EwsXmlWriter xml = new EwsXmlWriter();
        xml.start("s:Envelope", "xmlns:s", EwsXmlWriter.SOAP, "xmlns:a", EwsXmlWriter.ADDRESSING)
                .start("s:Header")
                .leaf("a:Action", "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse",
                        "s:mustUnderstand", "1")
                .start("h:ServerVersionInfo", "xmlns:h", A, "xmlns:i", EwsXmlWriter.XSI)
                .leaf("h:MajorVersion", EwsXmlWriter.MAJOR_VERSION)
                .leaf("h:MinorVersion", EwsXmlWriter.MINOR_VERSION)
                .leaf("h:MajorBuildNumber", EwsXmlWriter.MAJOR_BUILD)
                .leaf("h:MinorBuildNumber", EwsXmlWriter.MINOR_BUILD)
                .leaf("h:Version", "Exchange2015")
                .end().end()
                .start("s:Body")
                .start("GetUserSettingsResponseMessage", "xmlns", A)
                .start("Response", "xmlns:i", EwsXmlWriter.XSI);
        if (scripted != null) {
            xml.leaf("ErrorCode", scripted).leaf("ErrorMessage", scripted).empty("UserResponses");
        } else {
            xml.leaf("ErrorCode", "NoError").empty("ErrorMessage").start("UserResponses");
            for (String user : users) {
                xml.start("UserResponse");
                userSettings(xml, user, settings, redirect, ewsUrl);
                xml.end();
            }
            xml.end();
        }
        xml.end().end().end().end();
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + xml;
    }

    private void userSettings(EwsXmlWriter xml, String user, List<String> settings, String redirect, String ewsUrl) {
        Mailbox mailbox = user == null ? null : store.mailboxForLogon(user);
        if (redirect != null) {
            xml.leaf("ErrorCode", "RedirectUrl").leaf("ErrorMessage", "Redirection URL.")
                    .leaf("RedirectTarget", redirect).empty("UserSettingErrors").empty("UserSettings");
            return;
        }
        if (mailbox == null) {
            xml.leaf("ErrorCode", "InvalidUser").leaf("ErrorMessage", "Invalid user: '" + user + "'")
                    .empty("RedirectTarget", "i:nil", "true").empty("UserSettingErrors").empty("UserSettings");
            return;
        }
        xml.leaf("ErrorCode", "NoError").leaf("ErrorMessage", "No error.")
                .empty("RedirectTarget", "i:nil", "true");
        List<String> unavailable = new ArrayList<>();
        List<String[]> values = new ArrayList<>();
        for (String setting : settings) {
            String value = switch (setting) {
                case "InternalEwsUrl", "ExternalEwsUrl" -> ewsUrl;
                case "UserDisplayName" -> mailbox.address.substring(0, Math.max(mailbox.address.indexOf('@'), 0));
                case "AutoDiscoverSMTPAddress" -> mailbox.address;
                case "CasVersion" -> EwsXmlWriter.MAJOR_VERSION + "." + EwsXmlWriter.MINOR_VERSION + "."
                        + EwsXmlWriter.MAJOR_BUILD + "." + EwsXmlWriter.MINOR_BUILD;
                default -> null;
            };
            if (value == null) {
                unavailable.add(setting);
            } else {
                values.add(new String[] {setting, value});
            }
        }
        if (unavailable.isEmpty()) {
            xml.empty("UserSettingErrors");
        } else {
            xml.start("UserSettingErrors");
            for (String setting : unavailable) {
                xml.start("UserSettingError").leaf("ErrorCode", "SettingIsNotAvailable")
                        .leaf("ErrorMessage", "User setting '" + setting + "' is not available. ")
                        .leaf("SettingName", setting).end();
            }
            xml.end();
        }
        xml.start("UserSettings");
        for (String[] value : values) {
            xml.start("UserSetting", "i:type", "StringSetting").leaf("Name", value[0]).leaf("Value", value[1]).end();
        }
        xml.end();
    }
}
