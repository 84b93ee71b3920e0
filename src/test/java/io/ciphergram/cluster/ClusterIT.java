package io.ciphergram.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.testing.Browser;
import io.ciphergram.testing.ChatPeer;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.OriginalClient;
import io.ciphergram.testing.ProcessPeer;
import io.ciphergram.testing.RedisServer;
import io.ciphergram.testing.ServiceProcess;
import io.ciphergram.testing.V2Peer;

/**
 * Two instances of the packaged service, each its own process, sharing one room through a real
 * {@code redis-server}: every kind of client (the original format, its no-handshake variant and the
 * original Python client, the v2 console client, the browser page) on both instances, chatting every
 * way; private messages, presence and names across instances; Redis stopped and started again; one
 * instance killed outright. The steps run in order on the same instances and clients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Path WORK = Path.of("target/it-cluster");
    private static final Path CLI = Path.of(System.getProperty("ciphergram.cli-jar", "target/ciphergram-cli.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String TOKEN = "it-cluster-token-31c7";
    /** The stated bound: ciphergram.cluster.ttl (10 s) + ciphergram.cluster.heartbeat (2 s), with room to spare. */
    private static final Duration PRESENCE_BOUND = Duration.ofSeconds(15);
    private static final Duration ROOM_WAIT = Duration.ofSeconds(40);
    private static final String LINK_DOWN = "* the other servers of this chat are unreachable: messages reach only the people"
            + " on this server until they are back";
    private static final String LINK_BACK = "* the other servers of this chat are reachable again";

    private RedisServer redis;
    private ServiceProcess a;
    private ServiceProcess b;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Participant> everyone = new ArrayList<>();
    private ClassicPeer kaiPeer;
    private Participant kai;
    private Participant kbo;
    private Participant vcb;
    private Participant wa;
    private Participant wb;
    private Browser waPage;
    private Browser wbPage;
    private Participant pya;

    // ---- the participants, whatever their client -----------------------------------------------------

    /** A line a client sends. */
    private interface Saying {
        void say(String text) throws IOException;
    }

    /**
     * Someone in the room, whatever client it uses: how it says things, waits for a line, and shows what it
     * has received.
     */
    private static final class Participant {
        final String name;
        final String at;
        private final Saying saying;
        private final Consumer<String> awaiting;
        private final Supplier<List<String>> received;
        private final AutoCloseable client;

        Participant(String name, String at, Saying saying, Consumer<String> awaiting,
                Supplier<List<String>> received, AutoCloseable client) {
            this.name = name;
            this.at = at;
            this.saying = saying;
            this.awaiting = awaiting;
            this.received = received;
            this.client = client;
        }

        static Participant of(ChatPeer<?> peer, String name, String at) {
            return new Participant(name, at, peer::say, peer::awaitLine, peer::received, peer);
        }

        static Participant of(ProcessPeer process, String name, String at) {
            return new Participant(name, at, process::say, process::awaitLine, process::stdout, process);
        }

        static Participant of(OriginalClient client, String name, String at) {
            return new Participant(name, at, client::say, client::awaitLine, client::stdout, client);
        }

        static Participant of(Browser browser, String name, String at) {
            return new Participant(name, at, browser::say, line -> browser.awaitMessage(line::equals),
                    browser::messages, browser);
        }

        void say(String text) throws IOException {
            saying.say(text);
        }

        void awaitLine(String line) {
            awaiting.accept(line);
        }

        List<String> lines() {
            return received.get();
        }

        /** How the others see {@code text} when this participant says it. */
        String heard(String text) {
            return name + ": " + text;
        }

        @Override
        public String toString() {
            return name + "@" + at;
        }
    }

    // ---- set-up -------------------------------------------------------------------------------------

    @BeforeAll
    void twoInstancesAndTheirClients() throws Exception {
        OriginalClient.requirePython();
        assertThat(Files.isExecutable(Browser.CHROMIUM) && Files.isExecutable(Browser.CHROMEDRIVER))
                .as("Debian's chromium and chromium-driver").isTrue();
        Files.createDirectories(WORK);
        Path identity = WORK.resolve("server_identity.pem");
        ServerIdentity.loadOrCreate(identity); // both instances present one key, as behind one address they must
        redis = RedisServer.start();
        a = instance("it-a", identity);
        b = instance("it-b", identity);
        a.awaitStarted();
        b.awaitStarted();

        kaiPeer = ClassicPeer.join(a.udpPort(), "kai");
        kai = own(Participant.of(kaiPeer, "kai", "a"));
        ClassicPeer kboPeer = ClassicPeer.join(b.udpPort(), "kbo");
        kbo = own(Participant.of(kboPeer, "kbo", "b"));
        pya = own(original(a, OriginalClient.Variant.SEED, "pya"));
        own(original(a, OriginalClient.Variant.BARS, "pva"));
        own(original(b, OriginalClient.Variant.SEED, "pyb"));
        own(original(b, OriginalClient.Variant.COLON, "pvb"));
        own(console(a, "vca"));
        vcb = own(console(b, "vcb"));
        waPage = web(a, "wa");
        wa = own(Participant.of(waPage, "wa", "a"));
        wbPage = web(b, "wb");
        wb = own(Participant.of(wbPage, "wb", "b"));
        awaitEveryoneListedOn(kaiPeer);
        awaitEveryoneListedOn(kboPeer);
    }

    private ServiceProcess instance(String id, Path identity) throws IOException {
        ServiceProcess service = ServiceProcess.launch(Map.of("ciphergram.identity.path", identity.toString(),
                "ciphergram.cluster.redis", redis.url(), "ciphergram.cluster.instance", id,
                "ciphergram.cluster.name", "it",
                // the kill step sends 60 lines in a few seconds: flood control is not what it tests
                "ciphergram.flood.per-second", "100", "ciphergram.flood.burst", "100"), Map.of("CIPHERGRAM_ADMIN_TOKEN", TOKEN));
        open.add(service);
        return service;
    }

    private Participant own(Participant participant) {
        everyone.add(participant);
        open.add(participant.client);
        return participant;
    }

    /**
     * A client of the original Python system, its name and first line piped in one go; it joins the room
     * with that line. The variants put their name before every text, and the server takes it for theirs.
     */
    private Participant original(ServiceProcess at, OriginalClient.Variant variant, String name) throws IOException {
        OriginalClient client;
        if (variant == OriginalClient.Variant.SEED) {
            // The seed client reads lines before its key reply may have arrived, and then sends nothing: it
            // is piped its name alone, and says its first line once it has been welcomed.
            client = OriginalClient.start(variant, at.udpPort(), name);
            client.awaitLine(ClassicPeer.welcome(name));
            client.say("joining");
        } else {
            client = OriginalClient.start(variant, at.udpPort(), name, "joining");
        }
        kai.awaitLine("* " + name + " joined");
        kai.awaitLine(name + ": joining");
        return Participant.of(client, name, at == a ? "a" : "b");
    }

    private Participant console(ServiceProcess at, String name) throws IOException {
        ProcessPeer process = new ProcessPeer(List.of(JAVA, "-jar", CLI.toString(), "client", "--server",
                "127.0.0.1:" + at.udpPort(), "--name", name, "--known-servers", WORK.resolve("known-" + name).toString(),
                "--identity", WORK.resolve("identity-" + name).toString(), "--known-users",
                WORK.resolve("known-users-" + name).toString()));
        process.awaitLine("* you are " + name + "; /help lists commands");
        return Participant.of(process, name, at == a ? "a" : "b");
    }

    private Browser web(ServiceProcess at, String name) throws IOException {
        Browser browser = new Browser();
        browser.open(at.httpUrl("/"));
        browser.join(name);
        browser.awaitMessage("* you are " + name + "; /help lists commands");
        return browser;
    }

    /** Asks {@code /who} until the answer lists every participant. */
    private void awaitEveryoneListedOn(ClassicPeer asking) {
        List<String> names = everyone.stream().map(p -> p.name).toList();
        await().atMost(ROOM_WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            asking.say("/who");
            return online(asking.awaitLine(l -> l.startsWith("* online ("))).containsAll(names);
        });
    }

    private static List<String> online(String who) {
        return Arrays.stream(who.substring(who.indexOf(':') + 1).split(",")).map(String::strip).toList();
    }

    @AfterAll
    void stopEverything() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
        try {
            if (redis != null) {
                redis.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the steps ----------------------------------------------------------------------------------

    @Test
    @Order(1)
    void everyKindOfClientOnEitherInstanceHearsEveryOther() throws Exception {
        for (Participant sender : everyone) {
            String text = "from " + sender + " ✓";
            sender.say(text);
            for (Participant receiver : everyone) {
                if (receiver != sender) {
                    receiver.awaitLine(sender.heard(text));
                }
            }
        }
    }

    @Test
    @Order(2)
    void whoThePagesOnlineListAndTheAdminApiShowTheWholeCluster() {
        List<String> names = everyone.stream().map(p -> p.name).toList();
        for (Browser page : List.of(waPage, wbPage)) {
            await().atMost(Browser.WAIT).until(() -> page.online().stream()
                    .map(n -> n.replace("(you)", "").strip()).toList().containsAll(names));
        }
        given().auth().oauth2(TOKEN).get(a.httpUrl("/api/server")).then().statusCode(200)
                .body("cluster.mode", equalTo("redis"))
                .body("cluster.name", equalTo("it"))
                .body("cluster.instance", equalTo("it-a"))
                .body("cluster.instances.id", containsInAnyOrder("it-a", "it-b"))
                .body("cluster.instances.find { it.id == 'it-b' }.info.udpPort", equalTo(b.udpPort()));
        long onA = everyone.stream().filter(p -> p.at.equals("a")).count();
        given().auth().oauth2(TOKEN).get(a.httpUrl("/api/sessions")).then().statusCode(200)
                .body("total", equalTo((int) onA));
    }

    @Test
    @Order(3)
    void aPrivateMessageCrossesToItsTargetAndNoOneElse() throws Exception {
        kai.say("/msg VCB secret for vcb 7731");
        vcb.awaitLine("kai (private): secret for vcb 7731");
        wb.say("/msg pya secret for pya 9042");
        pya.awaitLine("wb (private): secret for pya 9042");
        // everything sent before this marker has reached everyone it was going to reach
        kai.say("marker after the private messages");
        wb.say("second marker");
        for (Participant p : everyone) {
            if (p != kai) {
                p.awaitLine("kai: marker after the private messages");
            }
            if (p != wb) {
                p.awaitLine("wb: second marker");
            }
        }
        for (Participant p : everyone) {
            if (p != vcb && p != kai) {
                assertThat(p.lines()).as(p.toString()).noneMatch(l -> l.contains("7731"));
            }
            if (p != pya && p != wb) {
                assertThat(p.lines()).as(p.toString()).noneMatch(l -> l.contains("9042"));
            }
        }
    }

    @Test
    @Order(4)
    void aSealedMessageCrossesUnreadAndHistoryIsSharedByTheInstances() throws Exception {
        Participant vca = everyone.stream().filter(p -> p.name.equals("vca")).findFirst().orElseThrow();
        vca.say("/msg vcb sealed across the instances 5521");
        vcb.awaitLine("vca (private, end-to-end): sealed across the instances 5521");
        // a newcomer on b is sent what was said on a: the instances share one history in Redis
        try (ClassicPeer late = ClassicPeer.join(b.udpPort(), "late")) {
            await().atMost(ClassicPeer.WAIT).until(() -> late.history().stream()
                    .anyMatch(l -> l.endsWith("] kai: marker after the private messages")));
            assertThat(late.history()).as("each line once, though both instances delivered it")
                    .filteredOn(l -> l.endsWith("] kai: marker after the private messages")).hasSize(1);
        }
    }

    @Test
    @Order(5)
    void aNameTakenOnOneInstanceGetsASuffixOnTheOther() throws Exception {
        try (ClassicPeer second = ClassicPeer.join(b.udpPort(), "KAI")) {
            assertThat(second.received()).contains(
                    "* you are KAI2 (KAI is taken); say something to join the room (/help lists commands)");
            kai.awaitLine("* KAI2 joined");
        }
        kai.awaitLine("* KAI2 left");
        try (V2Peer twin = V2Peer.join(new InetSocketAddress("127.0.0.1", a.udpPort()), "vcb", WORK.resolve("known-twin"))) {
            // vcb is online on b, and its name is bound to its identity (shared by the instances in Redis)
            twin.awaitLine("* you are vcb2 (vcb belongs to another identity); /help lists commands");
        }
    }

    @Test
    @Order(6)
    void withRedisStoppedLocalChatGoesOnAndWhenItIsBackTheInstancesChatAgain() throws Exception {
        redis.stop();
        kai.awaitLine(LINK_DOWN);
        kbo.awaitLine(LINK_DOWN);
        awaitReadiness(a, 503, "DOWN");
        awaitReadiness(b, 503, "DOWN");
        kai.say("while redis is down");
        pya.awaitLine("kai: while redis is down");
        wa.awaitLine("kai: while redis is down");

        redis.restart();
        kai.awaitLine(LINK_BACK);
        kbo.awaitLine(LINK_BACK);
        awaitReadiness(a, 200, "UP");
        awaitReadiness(b, 200, "UP");
        kai.say("after the heal");
        kbo.awaitLine("kai: after the heal");
        wb.awaitLine("kai: after the heal");
        vcb.say("and back again");
        kai.awaitLine("vcb: and back again");
        wa.awaitLine("vcb: and back again");
        // what kai said while Redis was down was held on a and reaches b once the link is back, once
        kbo.awaitLine("kai: while redis is down");
        wb.awaitLine("kai: while redis is down");
        assertThat(kbo.lines()).containsOnlyOnce("kai: while redis is down");
        List<String> sinceTheOutage = kai.lines().subList(kai.lines().indexOf(LINK_DOWN), kai.lines().size());
        assertThat(sinceTheOutage).as("the outage was shorter than the ttl: nobody left").noneMatch(l -> l.endsWith(" left"));
    }

    private static void awaitReadiness(ServiceProcess instance, int status, String cluster) {
        await().atMost(ROOM_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            var response = given().get(instance.managementUrl("/q/health/ready"));
            return response.statusCode() == status
                    && cluster.equals(response.jsonPath().getString("checks.find { it.name == 'cluster' }.status"))
                    && "UP".equals(response.jsonPath().getString("checks.find { it.name == 'udp' }.status"));
        });
    }

    @Test
    @Order(7)
    void sixtyLinesSentWhileEveryRedisConnectionIsKilledThreeTimesAreAllDeliveredOnce() throws Exception {
        int lines = 60;
        List<String> fromKai = new ArrayList<>();
        List<String> fromVcb = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            if (i % 20 == 10) {
                // every connection of both instances (the link's, the subscriber, the store's) breaks
                redis.cli("CLIENT", "KILL", "TYPE", "normal");
                redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
            }
            if (i % 20 == 0 && i > 0) {
                awaitReadiness(a, 200, "UP");
                awaitReadiness(b, 200, "UP");
            }
            Participant sender = i % 2 == 0 ? kai : vcb;
            String text = "kill test " + i;
            sender.say(text);
            (sender == kai ? fromKai : fromVcb).add(sender.heard(text));
        }
        for (Participant receiver : List.of(kbo, wb)) {
            for (String line : fromKai) {
                receiver.awaitLine(line); // from a to b
            }
        }
        for (Participant receiver : List.of(kai, wa)) {
            for (String line : fromVcb) {
                receiver.awaitLine(line); // from b to a
            }
        }
        for (Participant receiver : List.of(kbo, wb, kai, wa)) {
            List<String> expected = receiver.at.equals("b") ? fromKai : fromVcb;
            List<String> heard = receiver.lines().stream().filter(l -> l.contains(": kill test ")).toList();
            assertThat(heard).as(receiver + ": every line of the other instance, once each")
                    .filteredOn(expected::contains).containsExactlyElementsOf(expected);
        }
        for (ServiceProcess instance : List.of(a, b)) {
            assertThat(instance.metric("ciphergram_cluster_messages_unsent_total")).as("nothing given up").isZero();
        }
        System.out.printf("ClusterIT: %d lines across three kills of every Redis connection, all delivered once;"
                + " resent a %.0f b %.0f, duplicates dropped a %.0f b %.0f%n", lines,
                a.metric("ciphergram_cluster_lines_resent_total"), b.metric("ciphergram_cluster_lines_resent_total"),
                a.metricSum("ciphergram_cluster_messages_dropped_total{reason=\"duplicate\""),
                b.metricSum("ciphergram_cluster_messages_dropped_total{reason=\"duplicate\""));
    }

    @Test
    @Order(8)
    void whenAnInstanceIsKilledItsUsersLeaveEveryoneElsesRoomWithinTheBound() throws Exception {
        List<Participant> onB = everyone.stream().filter(p -> p.at.equals("b")).toList();
        List<Participant> onA = everyone.stream().filter(p -> p.at.equals("a")).toList();
        long killed = System.nanoTime();
        b.kill();
        for (Participant gone : onB) {
            await().atMost(PRESENCE_BOUND.minusNanos(System.nanoTime() - killed))
                    .until(() -> kai.lines().contains("* " + gone.name + " left"));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(took).as("all of b's users left within the bound").isLessThanOrEqualTo(PRESENCE_BOUND);
        System.out.printf("ClusterIT: b's users left a's room %.1f s after b was killed%n", took.toMillis() / 1000.0);
        for (Participant stays : onA) {
            if (stays != kai) {
                for (Participant gone : onB) {
                    stays.awaitLine("* " + gone.name + " left");
                }
            }
        }
        kai.say("/who");
        List<String> listed = online(kaiPeer.awaitLine(l -> l.startsWith("* online (")));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(onA.stream().map(p -> p.name).toList());
        Predicate<List<String>> noneOfB = names -> onB.stream().noneMatch(p -> names.stream().anyMatch(n -> n.startsWith(p.name)));
        await().atMost(Browser.WAIT).until(() -> noneOfB.test(waPage.online()));
    }
}
