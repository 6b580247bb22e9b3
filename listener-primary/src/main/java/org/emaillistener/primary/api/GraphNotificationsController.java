package org.emaillistener.primary.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.graph.GraphClientState;
import org.emaillistener.primary.ownership.MailboxOwnership;
import org.emaillistener.primary.ownership.ReplicaIdentity;
import org.emaillistener.primary.subscription.Subscriptions;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /graph/notifications}: where Microsoft Graph posts the change and lifecycle notifications of
 * the folder subscriptions {@link GraphMailboxWatcher} makes, at whichever replica the load balancer
 * picks. Each address names its mailbox, folder and subscriber; a notification is believed only with
 * the folder's {@code clientState} ({@link GraphClientState}) and only for a registered mailbox, and
 * is then turned into work at once, so Graph gets its answer within its few seconds:
 * <ul>
 * <li>{@code created}: a sync job for the folder;</li>
 * <li>lifecycle {@code missed}: a catch-up sync of the folder;</li>
 * <li>lifecycle {@code reauthorizationRequired}: the subscription is renewed (which reauthorizes it),
 * or if that fails made again;</li>
 * <li>lifecycle {@code subscriptionRemoved}: a catch-up sync, and the mailbox's subscription made
 * again by {@link MailboxOwnership#resubscribe}.</li>
 * </ul>
 * A subscription a dead or restarted replica left behind (its subscriber is neither the mailbox's
 * lease holder nor this very process while it serves the mailbox) still has its notification turned
 * into a sync, since during a takeover it may be the only one, and is then ended; Graph removing or
 * asking to reauthorize such a subscription changes nothing. Graph's validation request (a
 * {@code validationToken} parameter) is answered with the token as text, as Graph requires before
 * it creates a subscription.
 */
@RestController
class GraphNotificationsController {

    private static final Logger log = LoggerFactory.getLogger(GraphNotificationsController.class);

    private final GraphClientState clientState;
    private final MailboxRegistry registry;
    private final SyncJobOutbox jobs;
    private final MailboxOwnership ownership;
    private final GraphConnector connector;
    private final Leases leases;
    private final Subscriptions subscriptions;
    private final ReplicaIdentity replica;
    private final JsonMapper json = JsonMapper.builder().build();

    public GraphNotificationsController(GraphClientState clientState, MailboxRegistry registry, SyncJobOutbox jobs,
            MailboxOwnership ownership, GraphConnector connector, Leases leases, Subscriptions subscriptions,
            ReplicaIdentity replica) {
        this.clientState = clientState;
        this.registry = registry;
        this.jobs = jobs;
        this.ownership = ownership;
        this.connector = connector;
        this.leases = leases;
        this.subscriptions = subscriptions;
        this.replica = replica;
    }

    /** One change notification ({@code changeType}) or lifecycle notification ({@code lifecycleEvent}). */
    private record Notification(String subscriptionId, String clientState, String lifecycleEvent) {

        static Notification of(JsonNode item) {
            return new Notification(item.path("subscriptionId").asString(null), item.path("clientState").asString(null),
                    item.path("lifecycleEvent").asString(null));
        }
    }

    @PostMapping(path = "/graph/notifications", consumes = MediaType.ALL_VALUE)
    public ResponseEntity<String> notify(@RequestParam(required = false) String validationToken,
            @RequestParam(required = false) String mailbox, @RequestParam(required = false) String folder,
            @RequestParam(required = false) String by, @RequestBody(required = false) String body) {
        if (validationToken != null) {
            // As sent (Graph fails an encoded token), but never sniffed as HTML: the text is a caller's.
            return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).header("X-Content-Type-Options", "nosniff")
                    .body(validationToken);
        }
        if (mailbox == null || folder == null || folder.isBlank() || by == null || by.isBlank()) {
            throw new BadRequestException("A notification address names its mailbox, folder and subscriber");
        }
        UUID mailboxId;
        try {
            mailboxId = UUID.fromString(mailbox);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("mailbox is not a valid UUID");
        }
        JsonNode items;
        try {
            items = body == null ? null : json.readTree(body).get("value");
        } catch (JacksonException e) {
            throw new BadRequestException("A notification body is JSON: " + e.getOriginalMessage());
        }
        if (items == null || !items.isArray()) {
            throw new BadRequestException("A notification body has a value array");
        }
        List<Notification> believed = new ArrayList<>();
        for (JsonNode item : items) {
            Notification notification = Notification.of(item);
            if (clientState.matches(mailboxId, folder, by, notification.clientState())) {
                believed.add(notification);
            } else {
                log.warn("Mailbox {}: ignored a Graph notification whose clientState is not this service's",
                        mailboxId);
            }
        }
        if (believed.isEmpty()) {
            return ResponseEntity.status(HttpStatus.ACCEPTED).build();
        }
        // One address, one mailbox, folder and subscriber: read the registry and the lease once per post.
        RegisteredMailbox registered = registry.find(mailboxId).orElse(null);
        if (registered == null) {
            log.info("Mailbox {}: ignored {} Graph notification(s) for a mailbox no longer registered; its "
                    + "subscriptions expire on their own", mailboxId, believed.size());
            return ResponseEntity.status(HttpStatus.ACCEPTED).build();
        }
        boolean orphaned = orphaned(mailboxId, by);
        believed.forEach(notification -> handle(registered, folder, orphaned, notification));
        return ResponseEntity.status(HttpStatus.ACCEPTED).build();
    }

    private void handle(RegisteredMailbox mailbox, String folder, boolean orphaned, Notification notification) {
        String lifecycle = notification.lifecycleEvent();
        if (lifecycle != null) {
            log.info("Mailbox {} folder {}: Graph lifecycle event {} for {}subscription {}", mailbox.id(), folder,
                    lifecycle, orphaned ? "the left-behind " : "", notification.subscriptionId());
        }
        switch (lifecycle == null ? "created" : lifecycle) {
            case "created" -> jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.NEW_MAIL));
            case "missed" -> jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.CONNECTED));
            case "reauthorizationRequired" -> {
                if (!orphaned) {
                    inBackground(mailbox, () -> reauthorize(mailbox, folder, notification.subscriptionId()));
                }
            }
            case "subscriptionRemoved" -> {
                jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.CONNECTED));
                if (!orphaned) {
                    ownership.resubscribe(mailbox.id());
                }
                return;
            }
            default -> log.info("Mailbox {}: Graph lifecycle event {} needs nothing of this service", mailbox.id(),
                    lifecycle);
        }
        if (orphaned) {
            inBackground(mailbox, () -> end(mailbox, notification.subscriptionId()));
        }
    }

    /**
     * Whether the subscriber {@code <replica>.<incarnation>} is gone from the mailbox: another replica
     * holds its lease, or the subscriber was this replica, in an earlier process or before the
     * mailbox left it. With no holder (a takeover under way) nothing is ended.
     */
    private boolean orphaned(UUID mailboxId, String by) {
        int dot = by.lastIndexOf('.');
        String subscriber = dot < 0 ? by : by.substring(0, dot);
        if (subscriber.equals(replica.name())) {
            return !by.substring(dot + 1).equals(replica.incarnation())
                    || subscriptions.servedMailbox(mailboxId).isEmpty();
        }
        String holder = leases.holders(List.of(mailboxId)).get(mailboxId);
        return holder != null && !holder.equals(subscriber);
    }

    private static void inBackground(RegisteredMailbox mailbox, Runnable work) {
        Thread.ofVirtual().name("graph-notification-" + mailbox.id()).start(work);
    }

    private void end(RegisteredMailbox mailbox, String subscriptionId) {
        try {
            connector.connect(mailbox.credentials()).unsubscribe(subscriptionId);
            log.info("Mailbox {}: ended subscription {}, left behind by a replica no longer serving the mailbox",
                    mailbox.id(), subscriptionId);
        } catch (GraphException e) {
            log.info("Mailbox {}: subscription {}, left behind, could not be ended ({}); it expires on its own",
                    mailbox.id(), subscriptionId, e.getMessage());
        }
    }

    private void reauthorize(RegisteredMailbox mailbox, String folder, String subscriptionId) {
        try {
            connector.connect(mailbox.credentials()).renew(subscriptionId,
                    Instant.now().plus(connector.properties().subscriptionLifetime()));
        } catch (GraphException e) {
            log.warn("Mailbox {} folder {}: renewing subscription {} failed ({}); making the subscription again",
                    mailbox.id(), folder, subscriptionId, e.getMessage());
            jobs.publish(SyncJob.of(mailbox.id(), folder, SyncJob.Reason.CONNECTED));
            ownership.resubscribe(mailbox.id());
        }
    }
}
