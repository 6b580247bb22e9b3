package org.emaillistener.common.redis;

import java.util.UUID;

/**
 * Every Redis key the service uses. With the default prefix {@code el:}:
 *
 * <table>
 * <caption>keys</caption>
 * <tr><th>key</th><th>type</th><th>holds</th></tr>
 * <tr><td>{@code el:mailbox:{id}}</td><td>string</td><td>the registered mailbox as JSON, its
 * credentials sealed (see {@link StoredMailboxFormat})</td></tr>
 * <tr><td>{@code el:mailboxes}</td><td>set</td><td>the ids of the registered mailboxes</td></tr>
 * <tr><td>{@code el:state:{id}}</td><td>string</td><td>the subscription state as JSON</td></tr>
 * <tr><td>{@code el:delivery:{id}}</td><td>string</td><td>the mailbox's delivery problem as JSON: a
 * sync job given up after the delivery limit; removed by the next successful sync</td></tr>
 * <tr><td>{@code el:cursor:{id}:{folder}}</td><td>string</td><td>the folder's sync cursor as JSON</td></tr>
 * <tr><td>{@code el:cursors:{id}}</td><td>set</td><td>the folders of the mailbox that have a cursor,
 * so that all of them are removed together without a SCAN of the keyspace</td></tr>
 * <tr><td>{@code el:lock:{id}}</td><td>string, with a TTL</td><td>the random token of the syncer that
 * holds the mailbox</td></tr>
 * <tr><td>{@code el:dirty:{id}}</td><td>hash, with a TTL</td><td>the mailbox's folders that need a sync
 * (an event came while it was locked), folder to {@code rank|reason|epoch millis}; taken by the lock's
 * holder before it lets go</td></tr>
 * <tr><td>{@code el:lease:{id}}</td><td>string, with a TTL</td><td>the id of the primary replica that
 * holds the mailbox's subscription</td></tr>
 * <tr><td>{@code el:replicas}</td><td>sorted set</td><td>the live primary replicas, scored by when their
 * heartbeat expires</td></tr>
 * <tr><td>{@code el:delivered:{id}}</td><td>sorted set</td><td>the Message-IDs most recently delivered
 * from the mailbox, scored by delivery time, trimmed to {@code listener.dedup.window}</td></tr>
 * <tr><td>{@code el:parked:{id}}</td><td>hash</td><td>the mailbox's parked messages as JSON, by folder
 * and UID</td></tr>
 * <tr><td>{@code el:history:{id}}</td><td>hash</td><td>the mailbox's history imports as JSON, by their
 * filter</td></tr>
 * <tr><td>{@code el:one-off:{id}}</td><td>string, with a TTL</td><td>a mailbox Creatio asked to import
 * history from without registering it, stored as {@code el:mailbox:{id}} is; deleted when the import
 * is done</td></tr>
 * <tr><td>{@code el:changes}</td><td>stream, trimmed to five minutes</td><td>which mailbox changed and
 * how ({@code m}: its id, {@code k}: registration, state, lease, parked, delivered), appended by
 * the stores in the same script as the change; read by the operator console</td></tr>
 * </table>
 *
 * {@code {id}} is Creatio's mailbox id; {@code {folder}} the folder's full name on the server, as is.
 * Scripts that touch several keys assume one Redis node (one database, as the deployment uses), not
 * a Redis Cluster.
 */
public final class RedisKeys {

    private final String prefix;

    public RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String mailbox(UUID mailboxId) {
        return prefix + "mailbox:" + mailboxId;
    }

    public String mailboxes() {
        return prefix + "mailboxes";
    }

    /** The hash of each mailbox's Creatio host, by mailbox id. */
    public String mailboxCreatioHosts() {
        return prefix + "mailbox-creatio-host";
    }

    /** The set of the mailboxes that deliver to one Creatio host. */
    public String creatioHostMailboxes(String creatioHost) {
        return prefix + "creatio-host:" + creatioHost;
    }

    public String state(UUID mailboxId) {
        return prefix + "state:" + mailboxId;
    }

    public String cursor(UUID mailboxId, String folder) {
        return cursorPrefix(mailboxId) + folder;
    }

    /** What {@link #cursor} puts in front of the folder name, for the script that removes them all. */
    public String cursorPrefix(UUID mailboxId) {
        return prefix + "cursor:" + mailboxId + ":";
    }

    public String cursorFolders(UUID mailboxId) {
        return prefix + "cursors:" + mailboxId;
    }

    public String lock(UUID mailboxId) {
        return prefix + "lock:" + mailboxId;
    }

    public String dirty(UUID mailboxId) {
        return prefix + "dirty:" + mailboxId;
    }

    public String lease(UUID mailboxId) {
        return prefix + "lease:" + mailboxId;
    }

    public String deliveryProblem(UUID mailboxId) {
        return prefix + "delivery:" + mailboxId;
    }

    public String delivered(UUID mailboxId) {
        return prefix + "delivered:" + mailboxId;
    }

    public String parked(UUID mailboxId) {
        return prefix + "parked:" + mailboxId;
    }

    public String replicas() {
        return prefix + "replicas";
    }

    public String history(UUID mailboxId) {
        return prefix + "history:" + mailboxId;
    }

    public String changes() {
        return prefix + "changes";
    }

    public String oneOff(UUID mailboxId) {
        return prefix + "one-off:" + mailboxId;
    }
}
