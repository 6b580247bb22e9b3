package org.emaillistener.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.FakeGraph;
import org.emaillistener.common.testing.LoopbackCertificate;
import org.emaillistener.common.testing.ServiceProcess;

/**
 * N Exchange Online mailboxes served through Microsoft Graph by one standalone service, against the
 * fake Graph (HTTPS with a certificate for 127.0.0.1 that the service trusts as it would Graph's), in
 * one of the two ways the service receives Graph mail ({@code --mode}):
 * <ul>
 * <li>{@code notifications}: each mailbox's Inbox has a change-notification subscription whose
 * address is the service's own {@code /graph/notifications} (the safety poll an hour away);</li>
 * <li>{@code polling}: each mailbox's Inbox delta is checked every {@code --poll-seconds} (30).</li>
 * </ul>
 * Each mailbox is registered as Creatio registers an Exchange Online mailbox (its EWS address on
 * outlook.office365.com) with {@code FolderIds} = its Inbox's id: one folder, so one subscription.
 * <ol>
 * <li>{@code create} the N mailboxes (calls of 100) and time until all listen and, with
 * notifications, each has its subscription on the fake; the Graph requests that took;</li>
 * <li>at rest for {@code --rest-seconds} (60) once the catch-up syncs are done: the Graph requests
 * the service makes, per mailbox, and its CPU; then heap after a full GC and live platform threads
 * (heap also right after the catch-up syncs, when the HTTP/1.1 connections the fake needs are still
 * pooled);</li>
 * <li>latency: messages created on the fake at {@code --rate} per second over
 * {@code --latency-mailboxes}, until Creatio's stand-in receives them ({@code --runs} runs of
 * {@code --latency-seconds}).</li>
 * </ol>
 * The fake answers at once: real Graph's latency (tens to hundreds of ms a call), its throttling and
 * its delay in posting notifications are not modelled.
 */
final class GraphScaleBenchmark {

    private static final String STANDALONE_JAR = "listener-standalone/target/listener-standalone.jar";
    private static final String TENANT = "5b1c0000-0000-4000-8000-00000000be9c";
    private static final String CLIENT = "listener-bench";
    private static final String CLIENT_SECRET = "bench-secret";
    private static final String DOMAIN = "contoso.example";
    private static final String ONLINE_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

    private final Map<String, String> options;
    private final int mailboxes;
    private final boolean notifications;
    private final int pollSeconds;
    private final ResultTable table = new ResultTable();
    private final List<String> users = new ArrayList<>();
    private final List<String> inboxes = new ArrayList<>();

    private GraphScaleBenchmark(Map<String, String> options) {
        this.options = options;
        this.mailboxes = integer("mailboxes", 10_000);
        String mode = options.getOrDefault("mode", "notifications");
        if (!mode.equals("notifications") && !mode.equals("polling")) {
            throw new IllegalArgumentException("--mode is notifications or polling, not " + mode);
        }
        this.notifications = mode.equals("notifications");
        this.pollSeconds = integer("poll-seconds", 30);
    }

    static void main(Map<String, String> options) throws Exception {
        // The JDK's HTTP server under the fake Graph and Creatio's stand-in closes a connection as soon as
        // more than 200 are idle, and any idle for 30 s; a client that pooled it finds out only when its
        // next POST gets no answer (the JDK client retries only a GET). Graph keeps its clients'
        // connections (over HTTP/2, one for all calls); read before the first server starts.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1000000");
        System.setProperty("sun.net.httpserver.idleInterval", "120");
        new GraphScaleBenchmark(options).run();
    }

    private void run() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        LoopbackCertificate tls = LoopbackCertificate.create(Path.of("target", "graph-bench-tls", run));
        BenchedService service = null;
        double benchCpuBefore = benchCpuSeconds();
        try (FakeGraph graph = FakeGraph.withKeyStore(tls.keyStore(), tls.password());
                CreatioStandIn creatio = new CreatioStandIn()) {
            graph.addTenant(TENANT, CLIENT, CLIENT_SECRET);
            for (int i = 0; i < mailboxes; i++) {
                String user = "graph-bench-" + i + "@" + DOMAIN;
                graph.addUser(TENANT, user);
                users.add(user);
                inboxes.add(graph.folderId(user, "inbox"));
            }
            int port = ServiceProcess.freePort();
            List<String> jvm = new ArrayList<>(BenchedService.jvmOptions("graph-standalone", options));
            jvm.addAll(tls.trustStoreOptions());
            service = BenchedService.start("graph-standalone", Path.of(STANDALONE_JAR), port, jvm,
                    serviceArguments(graph, port));
            service.awaitStarted(Duration.ofSeconds(120));
            BenchedService.Footprint before = service.footprintAtStart();
            register(graph, service, creatio);
            BenchedService.Footprint caughtUp = service.footprintWhenQuiet(service);
            atRest(graph, service);
            footprint(service, before, caughtUp);
            latency(graph, creatio);
            table.note(String.format(Locale.ROOT, "CPU used: service %.0f s; the benchmark's JVM (fake Graph, "
                    + "Creatio's stand-in) %.0f s", service.cpuSeconds(), benchCpuSeconds() - benchCpuBefore));
            table.note(String.format(Locale.ROOT, "Token requests to the fake Entra: %d; failed connects: %.0f",
                    graph.requests().stream().filter(r -> r.endsWith("/oauth2/v2.0/token")).count(),
                    service.metric("email.listener.reconnects")));
        } finally {
            if (service != null) {
                service.close();
            }
        }
        table.print(String.format(Locale.ROOT, "Issue 9: %d Exchange Online mailboxes through Microsoft Graph (%s), "
                + "standalone, fake Graph in process, %d cores, loopback", mailboxes,
                notifications ? "change notifications" : "polling every " + pollSeconds + " s",
                Runtime.getRuntime().availableProcessors()));
    }

    private List<String> serviceArguments(FakeGraph graph, int port) {
        List<String> arguments = new ArrayList<>(List.of(
                "--listener.callbacks.allowed-hosts=127.0.0.1",
                "--listener.graph.authority-host=" + graph.baseUrl(),
                "--listener.graph.graph-url=" + graph.graphUrl(),
                // Only the benchmark reaches the API.
                "--listener.api.allow-graph-without-base-path=true",
                "--listener.graph.tenants[0].tenant-id=" + TENANT,
                "--listener.graph.tenants[0].client-id=" + CLIENT,
                "--listener.graph.tenants[0].client-secret=" + CLIENT_SECRET,
                "--listener.graph.tenants[0].domains[0]=" + DOMAIN,
                "--listener.graph.tenants[0].creatio-hosts[0]=127.0.0.1"));
        if (notifications) {
            arguments.add("--listener.graph.notification-url=http://127.0.0.1:" + port + "/graph/notifications");
            arguments.add("--listener.graph.safety-poll-interval=1h");
        } else {
            arguments.add("--listener.graph.poll-interval=" + pollSeconds + "s");
        }
        return arguments;
    }

    /** Creatio's create calls; then the time until all listen and, with notifications, are subscribed. */
    private void register(FakeGraph graph, BenchedService service, CreatioStandIn creatio) throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < mailboxes; i++) {
            // As Creatio registers them: each after its user signed in to Microsoft 365.
            created.add(CreatioRequests.withOAuth(CreatioRequests.exchangeMailbox(mailboxId(i), ONLINE_EWS,
                    users.get(i), null, creatio.bpmEndpoint(), List.of(inboxes.get(i)), 0),
                    graph.signIn(TENANT, users.get(i))));
        }
        long httpBefore = graph.httpRequests();
        int requestsBefore = graph.requests().size();
        long start = System.nanoTime();
        service.create(created);
        double createSeconds = (System.nanoTime() - start) / 1e9;
        long listening = service.awaitListening("email.listener.graph.listening", mailboxes, start,
                Duration.ofSeconds(integer("listen-timeout-seconds", 600)), new BenchedService.AlsoAwaited() {
                    @Override
                    public boolean done() {
                        return !notifications || graph.subscribedUsers() >= mailboxes;
                    }

                    @Override
                    public String progress() {
                        return notifications ? ", " + graph.subscribedUsers() + " subscribed" : "";
                    }
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        int subscribed = graph.subscribedUsers();
        table.report("Graph mailboxes held by the service", listening + " listening"
                + (notifications ? ", " + subscribed + " with their subscription" : ""));
        table.report("create calls -> all listening" + (notifications ? " and subscribed" : ""),
                String.format(Locale.ROOT, "%.1f s (the create calls took %.1f s)", seconds, createSeconds));
        List<String> requests = graph.requests();
        table.report("Graph calls from create to listening, per mailbox", String.format(Locale.ROOT,
                "%.1f HTTP requests (%.1f Graph requests, $batch members counted)",
                (double) (graph.httpRequests() - httpBefore) / mailboxes,
                (double) graphRequests(requests.subList(requestsBefore, requests.size())) / mailboxes));
    }

    /** The Graph requests the service makes while no mail comes, and its CPU meanwhile. */
    private void atRest(FakeGraph graph, BenchedService service) throws Exception {
        int seconds = integer("rest-seconds", 60);
        long httpBefore = graph.httpRequests();
        int requestsBefore = graph.requests().size();
        double cpuBefore = service.cpuSeconds();
        Thread.sleep(Duration.ofSeconds(seconds));
        long http = graph.httpRequests() - httpBefore;
        List<String> requests = graph.requests();
        long members = graphRequests(requests.subList(requestsBefore, requests.size()));
        double cpu = service.cpuSeconds() - cpuBefore;
        table.report(String.format(Locale.ROOT, "Graph requests at rest, per mailbox (over %d s)", seconds),
                String.format(Locale.ROOT, "%.4f /s = one every %.0f s (%.1f /s in all; %.1f HTTP requests /s)",
                        (double) members / seconds / mailboxes, members == 0 ? Double.POSITIVE_INFINITY
                                : seconds * (double) mailboxes / members,
                        (double) members / seconds, (double) http / seconds));
        table.report("service CPU at rest", String.format(Locale.ROOT, "%.1f %% of one core", cpu / seconds * 100));
    }

    /** Heap and threads at rest, with what the HTTP/1.1 connections to the fake add to the heap. */
    private void footprint(BenchedService service, BenchedService.Footprint before, BenchedService.Footprint caughtUp)
            throws Exception {
        table.addFootprint("service", before, service.footprint(), mailboxes);
        // The fake speaks HTTP/1.1 only: the JDK client pools a connection (TLS buffers included) for
        // each call that was in flight at once, and drops one only after 30 s unused, while it hands
        // out the oldest first; over Graph's HTTP/2 its calls share one.
        table.report("  HTTPS connections to the fake the service keeps (HTTP/1.1)",
                String.valueOf(service.liveObjects("jdk.internal.net.http.AsyncSSLConnection")));
        table.report("  heap per mailbox right after the catch-up syncs", String.format(Locale.ROOT,
                "%.1f KB (%.0f MB in all)", (caughtUp.heapBytes() - before.heapBytes()) / mailboxes / 1024,
                caughtUp.heapBytes() / 1024 / 1024));
    }

    /**
     * Requests as Graph counts them against its limits: each member of a {@code $batch}, not the
     * {@code $batch} itself; token requests go to Entra, not Graph.
     */
    private static long graphRequests(List<String> requests) {
        return requests.stream().filter(r -> !r.equals("POST /v1.0/$batch") && !r.endsWith("/oauth2/v2.0/token"))
                .count();
    }

    private void latency(FakeGraph graph, CreatioStandIn creatio) throws Exception {
        int rate = integer("rate", 100);
        int spread = Math.min(mailboxes, integer("latency-mailboxes", 1000));
        Deliveries deliveries = new Deliveries(creatio);
        // Created in the Inbox, the fake notifies the Inbox's subscription at once.
        Deliveries.Senders created = () -> (sequence, mailbox, size) -> graph.createMessage(users.get(mailbox),
                inboxes.get(mailbox), BenchMessages.message(sequence, "graph-bench-" + mailbox, size));
        Duration timeout = Duration.ofSeconds(notifications ? 30 : pollSeconds + 30L);
        Deliveries.Latency latency = deliveries.latency(created, 2, rate, integer("latency-seconds", 20), spread,
                integer("runs", 3), timeout);
        String load = String.format(Locale.ROOT, "%d mails/s over %d mailboxes", rate, spread);
        table.report("latency created on Graph -> Creatio, p50 (" + load + ")", latency.describeP50());
        table.report("latency created on Graph -> Creatio, p99", latency.describeP99());
    }

    private static double benchCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    private static UUID mailboxId(int index) {
        return UUID.nameUUIDFromBytes(("graph-bench-mailbox-" + index).getBytes(StandardCharsets.US_ASCII));
    }

    private int integer(String name, int otherwise) {
        return Integer.parseInt(options.getOrDefault(name, String.valueOf(otherwise)));
    }
}
