package org.emaillistener.common.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeUtility;

/**
 * The mailboxes behind {@link FakeExchange}: users, their folder trees, the messages in them and each
 * folder's change log (what SyncFolderItems reads). Ids are built like Exchange's (see
 * {@link #newId}), so code that measures or logs them sees what it will see in production. Every
 * method is synchronized: the store is small and the fake's load is a test's.
 */
final class FakeMailboxStore {

    /** The folders Exchange creates in every mailbox under "Top of Information Store". */
    record WellKnownFolder(String distinguishedId, String displayName, String folderClass) {
    }

    static final List<WellKnownFolder> WELL_KNOWN = List.of(
            new WellKnownFolder("inbox", "Inbox", "IPF.Note"),
            new WellKnownFolder("drafts", "Drafts", "IPF.Note"),
            new WellKnownFolder("sentitems", "Sent Items", "IPF.Note"),
            new WellKnownFolder("deleteditems", "Deleted Items", "IPF.Note"),
            new WellKnownFolder("junkemail", "Junk Email", "IPF.Note"),
            new WellKnownFolder("outbox", "Outbox", "IPF.Note"),
            new WellKnownFolder("calendar", "Calendar", "IPF.Appointment"),
            new WellKnownFolder("contacts", "Contacts", "IPF.Contact"),
            new WellKnownFolder("tasks", "Tasks", "IPF.Task"));

    enum ChangeKind { CREATE, UPDATE, READ_FLAG, DELETE }

    /** One entry of a folder's change log. */
    record Change(ChangeKind kind, Item item) {
    }

    final class Mailbox {
        final String address;
        volatile String password;
        final String guid = UUID.randomUUID().toString();
        final byte[] storeGuid = randomBytes(16);
        final Map<String, Folder> distinguished = new LinkedHashMap<>();
        final List<byte[]> sent = new ArrayList<>();
        /** The Bcc recipients given with each sent message, beside its MIME content. */
        final List<List<String>> sentBlindCopies = new ArrayList<>();
        Folder root;

        Mailbox(String address, String password) {
            this.address = address;
            this.password = password;
        }

        Folder msgFolderRoot() {
            return distinguished.get("msgfolderroot");
        }
    }

    final class Folder {
        final String id;
        final Mailbox owner;
        final Folder parent;
        final String displayName;
        final String folderClass;
        final List<Folder> children = new ArrayList<>();
        final List<Change> log = new ArrayList<>();
        int version = 1;

        Folder(Mailbox owner, Folder parent, String displayName, String folderClass) {
            this.id = newId(owner, 0x2E, 1);
            this.owner = owner;
            this.parent = parent;
            this.displayName = displayName;
            this.folderClass = folderClass;
        }

        /** Folder change keys start with 0x01, item ones with 0x09 (message), as Exchange's do. */
        String changeKey() {
            return newChangeKey(owner, 0x01, version);
        }

        List<Item> items() {
            return FakeMailboxStore.this.items.values().stream().filter(item -> item.folder == this).toList();
        }
    }

    final class Item {
        final String id;
        final Mailbox owner;
        final Folder folder;
        final byte[] mime;
        final Instant received;
        final String subject;
        final String internetMessageId;
        final Instant sent;
        final InternetAddress from;
        final boolean hasAttachments;
        final Set<String> categories = new LinkedHashSet<>();
        boolean read;
        int version = 1;

        Item(Mailbox owner, Folder folder, byte[] mime, Instant received) {
            this.id = newId(owner, 0x46, 7);
            this.owner = owner;
            this.folder = folder;
            this.mime = mime.clone();
            this.received = received.truncatedTo(ChronoUnit.SECONDS);
            InternetHeaders headers = headers(mime);
            this.subject = decoded(headers.getHeader("Subject", null));
            String messageId = headers.getHeader("Message-ID", null);
            this.internetMessageId = messageId != null ? messageId.trim()
                    : "<" + UUID.randomUUID().toString().replace("-", "") + "@fake-exchange.local>";
            this.sent = date(headers.getHeader("Date", null));
            this.from = address(headers.getHeader("From", null));
            String contentType = headers.getHeader("Content-Type", null);
            this.hasAttachments = contentType != null
                    && contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/mixed");
        }

        String changeKey() {
            return newChangeKey(owner, 0x09, version);
        }
    }

    private static final byte[] SYNC_STATE_MAGIC = "FakeExchange.SyncState.1".getBytes(StandardCharsets.US_ASCII);

    private final Random random = new Random();
    private final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
    private final Map<String, Folder> folders = new LinkedHashMap<>();
    private final Map<String, Item> items = new LinkedHashMap<>();

    synchronized Mailbox addMailbox(String address, String password) {
        String key = address.toLowerCase(Locale.ROOT);
        Mailbox existing = mailboxes.get(key);
        if (existing != null) {
            existing.password = password;
            return existing;
        }
        Mailbox mailbox = new Mailbox(address, password);
        mailbox.root = register(new Folder(mailbox, null, "", null));
        mailbox.distinguished.put("root", mailbox.root);
        Folder top = register(new Folder(mailbox, mailbox.root, "Top of Information Store", null));
        mailbox.root.children.add(top);
        mailbox.distinguished.put("msgfolderroot", top);
        for (WellKnownFolder wellKnown : WELL_KNOWN) {
            Folder folder = register(new Folder(mailbox, top, wellKnown.displayName(), wellKnown.folderClass()));
            top.children.add(folder);
            mailbox.distinguished.put(wellKnown.distinguishedId(), folder);
        }
        mailboxes.put(key, mailbox);
        return mailbox;
    }

    /**
     * The mailbox a logon name belongs to: the SMTP address itself, {@code DOMAIN\local} or just
     * the local part, as Exchange accepts all three for Basic authentication.
     */
    synchronized Mailbox mailboxForLogon(String logon) {
        String name = logon.toLowerCase(Locale.ROOT);
        int backslash = name.indexOf('\\');
        if (backslash >= 0) {
            name = name.substring(backslash + 1);
        }
        Mailbox byAddress = mailboxes.get(name);
        if (byAddress != null) {
            return byAddress;
        }
        for (Mailbox mailbox : mailboxes.values()) {
            String address = mailbox.address.toLowerCase(Locale.ROOT);
            if (address.substring(0, address.indexOf('@') < 0 ? address.length() : address.indexOf('@')).equals(name)) {
                return mailbox;
            }
        }
        return null;
    }

    synchronized Mailbox mailbox(String address) {
        Mailbox mailbox = mailboxes.get(address.toLowerCase(Locale.ROOT));
        if (mailbox == null) {
            throw new IllegalArgumentException("no mailbox " + address + "; addUser it first");
        }
        return mailbox;
    }

    synchronized Folder addFolder(Mailbox owner, String parentId, String displayName, String folderClass) {
        Folder parent = folders.get(parentId);
        if (parent == null || parent.owner != owner) {
            throw new IllegalArgumentException("no folder " + parentId + " in " + owner.address);
        }
        Folder folder = register(new Folder(owner, parent, displayName, folderClass));
        parent.children.add(folder);
        parent.version++;
        return folder;
    }

    synchronized Folder folder(String id) {
        return folders.get(id);
    }

    synchronized Item item(String id) {
        return items.get(id);
    }

    /** Delivers or saves a message: it is stored and the folder's change log gains a Create. */
    synchronized Item addItem(Folder folder, byte[] mime, Instant received) {
        Item item = new Item(folder.owner, folder, mime, received);
        items.put(item.id, item);
        folder.log.add(new Change(ChangeKind.CREATE, item));
        folder.version++;
        return item;
    }

    synchronized void deleteItem(Item item) {
        if (items.remove(item.id) != null) {
            item.folder.log.add(new Change(ChangeKind.DELETE, item));
            item.folder.version++;
        }
    }

    /** Records a property change, as UpdateItem does: a new ChangeKey and an Update in the log. */
    synchronized void touch(Item item, ChangeKind kind) {
        item.version++;
        item.folder.log.add(new Change(kind, item));
        item.folder.version++;
    }

    synchronized List<Folder> descendants(Folder folder, boolean deep) {
        List<Folder> found = new ArrayList<>();
        for (Folder child : folder.children) {
            found.add(child);
            if (deep) {
                found.addAll(descendants(child, true));
            }
        }
        return found;
    }

    /** Net changes of a folder since a log position, at most {@code max} of them. */
    record SyncBatch(List<Change> changes, int nextPosition, boolean includesLast) {
    }

    /**
     * Walks the log from {@code position} and nets each item's entries out the way Exchange's ICS
     * does: created-then-deleted vanishes, created-then-updated is one Create, updated-then-deleted
     * is one Delete. The walk stops before an entry of a new item once {@code max} items are taken,
     * so the next SyncState resumes exactly there.
     */
    synchronized SyncBatch sync(Folder folder, int position, int max) {
        Map<Item, List<ChangeKind>> window = new LinkedHashMap<>();
        int at = position;
        while (at < folder.log.size()) {
            Change change = folder.log.get(at);
            if (!window.containsKey(change.item()) && window.size() >= max) {
                break;
            }
            window.computeIfAbsent(change.item(), key -> new ArrayList<>()).add(change.kind());
            at++;
        }
        List<Change> net = new ArrayList<>();
        window.forEach((item, kinds) -> {
            boolean created = kinds.contains(ChangeKind.CREATE);
            boolean deleted = kinds.contains(ChangeKind.DELETE);
            if (created && !deleted) {
                net.add(new Change(ChangeKind.CREATE, item));
            } else if (!created && deleted) {
                net.add(new Change(ChangeKind.DELETE, item));
            } else if (!created && kinds.contains(ChangeKind.UPDATE)) {
                net.add(new Change(ChangeKind.UPDATE, item));
            } else if (!created) {
                net.add(new Change(ChangeKind.READ_FLAG, item));
            }
        });
        return new SyncBatch(net, at, at == folder.log.size());
    }

    /**
     * An opaque SyncState: gzip, then base64, like Exchange's ("H4sIAAAAAAAEAO..."), of the folder id
     * and the log position.
     */
    String syncState(Folder folder, int position) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(SYNC_STATE_MAGIC);
            byte[] folderId = folder.id.getBytes(StandardCharsets.US_ASCII);
            gzip.write(ByteBuffer.allocate(8).putInt(folderId.length).putInt(position).array());
            gzip.write(folderId);
            gzip.write(randomBytes(24));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] state = bytes.toByteArray();
        // The gzip header's XFL and OS bytes as .NET's GZipStream writes them (Java writes 0, 255).
        state[8] = 4;
        state[9] = 0;
        return Base64.getEncoder().encodeToString(state);
    }

    /** The log position a SyncState stands for, or -1 if it is not one of this folder's. */
    synchronized int syncPosition(Folder folder, String syncState) {
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(syncState)))) {
            byte[] data = gzip.readAllBytes();
            ByteBuffer buffer = ByteBuffer.wrap(data);
            byte[] magic = new byte[SYNC_STATE_MAGIC.length];
            buffer.get(magic);
            int length = buffer.getInt();
            int position = buffer.getInt();
            byte[] folderId = new byte[length];
            buffer.get(folderId);
            boolean ours = Arrays.equals(magic, SYNC_STATE_MAGIC)
                    && new String(folderId, StandardCharsets.US_ASCII).equals(folder.id);
            return ours && position >= 0 && position <= folder.log.size() ? position : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether a string has the shape of the ids this store hands out (else: ErrorInvalidIdMalformed). */
    static boolean wellFormedId(String id) {
        try {
            byte[] bytes = Base64.getDecoder().decode(id);
            return bytes.length > 44 && bytes[0] == 0 && bytes[2] == 0x24;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Folder register(Folder folder) {
        folders.put(folder.id, folder);
        return folder;
    }

    /**
     * An id laid out like Exchange's store ids ("AAMkAD..."): a header, the mailbox GUID in ASCII, the
     * kind (0x46 item, 0x2E folder), the store GUID and a random entry id. Decoded, real ones look the
     * same; nobody should parse them, but their length and alphabet (+, /, =) matter to storage.
     */
    private String newId(Mailbox owner, int kind, int entryType) {
        ByteBuffer id = ByteBuffer.allocate(4 + 36 + 7 + 16 + 2 + 46);
        id.put((byte) 0).put((byte) 3).put((byte) 0x24).put((byte) 0);
        id.put(owner.guid.getBytes(StandardCharsets.US_ASCII));
        id.put(new byte[] {0, (byte) kind, 0, 0, 0, 0, 0});
        id.put(owner.storeGuid);
        id.put((byte) entryType).put((byte) 0);
        byte[] entry = randomBytes(44);
        id.put(entry).put((byte) 0).put((byte) 0);
        return Base64.getEncoder().encodeToString(id.array());
    }

    private String newChangeKey(Mailbox owner, int kind, int version) {
        ByteBuffer key = ByteBuffer.allocate(8 + 16 + 6);
        key.put((byte) kind).put(new byte[] {0, 0, 0, 0x16, 0, 0, 0});
        key.put(owner.storeGuid);
        key.put(new byte[] {0, 0}).putInt(version);
        return Base64.getEncoder().encodeToString(key.array());
    }

    private synchronized byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static InternetHeaders headers(byte[] mime) {
        try {
            return new InternetHeaders(new ByteArrayInputStream(mime));
        } catch (MessagingException e) {
            return new InternetHeaders();
        }
    }

    private static String decoded(String header) {
        if (header == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(header).trim());
        } catch (UnsupportedEncodingException e) {
            return header.trim();
        }
    }

    private static Instant date(String header) {
        if (header == null) {
            return null;
        }
        try {
            return new MailDateFormat().parse(header.trim()).toInstant();
        } catch (ParseException e) {
            return null;
        }
    }

    private static InternetAddress address(String header) {
        if (header == null) {
            return null;
        }
        try {
            InternetAddress[] parsed = InternetAddress.parseHeader(MimeUtility.unfold(header), false);
            return parsed.length == 0 ? null : parsed[0];
        } catch (MessagingException e) {
            return null;
        }
    }
}
