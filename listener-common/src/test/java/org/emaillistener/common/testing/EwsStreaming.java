package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;
import org.emaillistener.common.testing.FakeNotifications.Connection;
import org.emaillistener.common.testing.FakeNotifications.Event;
import org.emaillistener.common.testing.FakeNotifications.Signal;
import org.emaillistener.common.testing.FakeNotifications.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

import com.sun.net.httpserver.HttpExchange;

/** The GetStreamingEvents responses of {@link FakeExchange}: long chunked responses, one envelope per message. */
final class EwsStreaming {

    private static final Logger log = LoggerFactory.getLogger(EwsStreaming.class);
    private static final String M = EwsXmlWriter.MESSAGES;
    /** "The first 50 events from the queue are pulled ... and encoded into a notification" (EWS reference). */
    private static final int EVENTS_PER_MESSAGE = 50;

    /** Thrown out of a streaming handler so the HTTP server closes the socket mid-response. */
    static final class StreamDropped extends RuntimeException {
        StreamDropped() {
            super("stream dropped", null, false, false);
        }
    }

    private final FakeNotifications notifications;
    private final Supplier<Duration> heartbeatInterval;
    private final Supplier<Duration> minuteLength;
    private final BooleanSupplier closed;
    /** Mailboxes whose every stream breaks as soon as it opened, as a faulty load balancer does. */
    private final Set<Mailbox> dropAtOnce = ConcurrentHashMap.newKeySet();
    /**
     * Open streaming connections one account may have: "Exchange Online has a default
     * HangingConnectionLimit of 10", on premises "the default value of three open connections"
     * ("Handling notification-related errors in EWS in Exchange", ErrorExceededConnectionCount). The
     * fake is the on-premises server.
     */
    static final int HANGING_CONNECTION_LIMIT = 3;
    final AtomicInteger exceededConnectionCount = new AtomicInteger();
    /**
     * What a stream's first envelope becomes before it is written (the fake's hostile DOCTYPE, when it
     * serves one: where a document may have one, before the first root element).
     */
    private final UnaryOperator<String> envelopes;
    private final Set<OutputStream> started = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    EwsStreaming(FakeNotifications notifications, Supplier<Duration> heartbeatInterval, Supplier<Duration> minuteLength,
            BooleanSupplier closed, UnaryOperator<String> envelopes) {
        this.envelopes = envelopes;
        this.notifications = notifications;
        this.heartbeatInterval = heartbeatInterval;
        this.minuteLength = minuteLength;
        this.closed = closed;
    }

    /**
     * GetStreamingEvents: answers 200 with a chunked body at once and keeps it open for
     * ConnectionTimeout minutes, writing one complete SOAP envelope per message and flushing it:
     * the events waiting for the subscriptions first, then events as they happen, a ConnectionStatus
     * OK heartbeat whenever nothing was written for a heartbeat interval, and at the end a
     * ConnectionStatus Closed before the response ends.
     */
    void dropAtOnce(Mailbox mailbox, boolean drop) {
        if (drop) {
            dropAtOnce.add(mailbox);
        } else {
            dropAtOnce.remove(mailbox);
        }
    }

    void serve(HttpExchange exchange, Element request, Mailbox caller, String scripted)
            throws IOException {
        List<String> ids = EwsDom.children(EwsDom.child(request, M, "SubscriptionIds")).stream()
                .map(id -> id.getTextContent().trim()).toList();
        String timeoutText = EwsDom.text(request, M, "ConnectionTimeout");
        int timeoutMinutes = Math.clamp(timeoutText == null ? 30 : Integer.parseInt(timeoutText), 1, 30);
        FakeExchange.serverHeaders(exchange);
        exchange.getResponseHeaders().add("Content-Type", "text/xml; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        // The headers go out now, not with the first message: the client's open() returns on them.
        out.flush();

        if (scripted != null) {
            write(out, streamError(scripted, EwsErrors.concernsSubscriptions(scripted) ? ids : List.of(), true));
            if ("ErrorMissedNotificationEvents".equals(scripted)) {
                // The subscriptions whose events were lost are gone: the client makes new ones.
                notifications.lost(ids);
            }
            exchange.close();
            return;
        }
        if (dropAtOnce.contains(caller)) {
            throw new StreamDropped();
        }
        Connection connection = notifications.openWithin(caller, HANGING_CONNECTION_LIMIT);
        if (connection == null) {
            exceededConnectionCount.incrementAndGet();
            write(out, streamError("ErrorExceededConnectionCount", List.of(), true));
            exchange.close();
            return;
        }
        try {
            FakeNotifications.Attached attached = notifications.attach(connection, ids);
            boolean nothingLeft = attached.subscriptions().isEmpty();
            if (!attached.notFound().isEmpty()) {
                write(out, streamError("ErrorSubscriptionNotFound", attached.notFound(),
                        nothingLeft && attached.accessDenied().isEmpty()));
            }
            if (!attached.accessDenied().isEmpty()) {
                write(out, streamError("ErrorSubscriptionAccessDenied", attached.accessDenied(), nothingLeft));
            }
            if (attached.subscriptions().isEmpty()) {
                exchange.close();
                return;
            }
            stream(exchange, out, connection, System.nanoTime() + minuteLength.get().toNanos() * timeoutMinutes);
        } finally {
            notifications.closed(connection);
        }
    }

    private void stream(HttpExchange exchange, OutputStream out, Connection connection, long deadline)
            throws IOException {
        long nextHeartbeat = System.nanoTime() + heartbeatInterval.get().toNanos();
        while (true) {
            if (closed.getAsBoolean()) {
                throw new StreamDropped();
            }
            Map<Subscription, List<Event>> events;
            while (!(events = notifications.drain(connection, EVENTS_PER_MESSAGE)).isEmpty()) {
                Map<Subscription, List<Event>> batch = events;
                write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                        message -> notificationsXml(message, batch))));
                nextHeartbeat = System.nanoTime() + heartbeatInterval.get().toNanos();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                closeStream(exchange, out);
                return;
            }
            if (now - nextHeartbeat >= 0) {
                write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                        message -> message.leaf("m:ConnectionStatus", "OK"))));
                nextHeartbeat = now + heartbeatInterval.get().toNanos();
            }
            Signal signal;
            try {
                signal = connection.await(Math.min(deadline, nextHeartbeat) - System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamDropped();
            }
            if (signal == Signal.DROP) {
                throw new StreamDropped();
            }
            if (signal == Signal.CLOSE) {
                closeStream(exchange, out);
                return;
            }
        }
    }

    private void closeStream(HttpExchange exchange, OutputStream out) throws IOException {
        write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                message -> message.leaf("m:ConnectionStatus", "Closed"))));
        exchange.close();
    }

    /**
     * m:Notifications with one m:Notification per subscription: t:SubscriptionId, then the events.
     * Streaming events have no Watermark (ews-java-api reads TimeStamp first, and Exchange sends none),
     * and their ids carry the short ChangeKeys Exchange puts in notifications ("CQAAAA==" for a
     * message, "AQAAAA==" for a folder), not the full ones.
     */
    private static void notificationsXml(EwsXmlWriter xml, Map<Subscription, List<Event>> events) {
        xml.start("m:Notifications");
        events.forEach((subscription, list) -> {
            xml.start("m:Notification").leaf("t:SubscriptionId", subscription.id);
            for (Event event : list) {
                xml.start("t:" + event.type()).leaf("t:TimeStamp", EwsXmlWriter.dateTime(event.timeStamp()));
                if (event.itemId() != null) {
                    xml.empty("t:ItemId", "Id", event.itemId(), "ChangeKey", "CQAAAA==");
                } else {
                    xml.empty("t:FolderId", "Id", event.folderId(), "ChangeKey", "AQAAAA==");
                }
                xml.empty("t:ParentFolderId", "Id", event.parentFolderId(), "ChangeKey", "AQAAAA==");
                if (event.unreadCount() != null) {
                    xml.leaf("t:UnreadCount", event.unreadCount());
                }
                xml.end();
            }
            xml.end();
        });
        xml.end();
    }

    /**
     * An error message of the stream: the failed subscriptions in ErrorSubscriptionIds and, when the
     * stream ends with it, ConnectionStatus Closed, as in the EWS reference's error example (the
     * library skips that element in an error message, so it sees the end of the response next).
     */
    private static String streamError(String responseCode, List<String> subscriptionIds, boolean closes) {
        return EwsXmlWriter.streamingEnvelope(xml -> xml.error("GetStreamingEventsResponseMessage", responseCode,
                extra -> {
                    if (!subscriptionIds.isEmpty()) {
                        extra.start("m:ErrorSubscriptionIds");
                        subscriptionIds.forEach(id -> extra.leaf("m:SubscriptionId", id));
                        extra.end();
                    }
                    if (closes) {
                        extra.leaf("m:ConnectionStatus", "Closed");
                    }
                }));
    }

    private void write(OutputStream out, String written) throws IOException {
        String envelope = started.add(out) ? envelopes.apply(written) : written;
        log.trace("stream {}", envelope);
        out.write(envelope.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
