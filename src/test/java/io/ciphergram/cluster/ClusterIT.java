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
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.testing.Browser;
import io.ciphergram.testing.ClassicPeer;
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
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SEED_CLIENT = Path.of("src/test/python/seed_client.py");
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
    private Classic kai;
    private Classic kbo;
    private Console vcb;
    private Web wa;
    private Web wb;
    private Seed pya;

    // ---- the participants, whatever their client -----------------------------------------------------

    /** Someone in the room: says things and awaits lines, whatever client it uses. */
    private abstract static class Participant {
        final String name;
        final String at;

        Participant(String name, String at) {
            this.name = name;
            this.at = at;
        }

        abstract void say(String text) throws IOException;

        abstract void awaitLine(String line);

        abstract List<String> lines();

        /** The client, to close at the end. */
        abstract AutoCloseable client();

        /** How the others see {@code text} when this participant says it. */
        String heard(String text) {
            return name + ": " + text;
        }

        @Override
        public String toString() {
            return name + "@" + at;
        }
    }

    private static final class Classic extends Participant {
        final ClassicPeer peer;

        Classic(ClassicPeer peer, String name, String at) {
            super(name, at);
            this.peer = peer;
        }

        @Override
        void say(String text) throws IOException {
            peer.say(text);
        }

        @Override
        void awaitLine(String line) {
            peer.awaitLine(line);
        }

        @Override
        List<String> lines() {
            return peer.received();
        }

        @Override
        AutoCloseable client() {
            return peer;
        }
    }

    /** A process that prints each line it receives: the Python seed client, the console client. */
    private static class Console extends Participant {
        final ProcessPeer process;

        Console(ProcessPeer process, String name, String at) {
            super(name, at);
            this.process = process;
        }

        @Override
        void say(String text) throws IOException {
            process.say(text);
        }

        @Override
        void awaitLine(String line) {
            process.awaitLine(line);
        }

        @Override
        List<String> lines() {
            return process.stdout();
        }

        @Override
        AutoCloseable client() {
            return process;
        }
    }

    private static final class Seed extends Console {
        /** The no-handshake variant puts its own name in every text; the server calls it guest-N. */
        final String ownName;

        Seed(ProcessPeer process, String name, String at, String ownName) {
            super(process, name, at);
            this.ownName = ownName;
        }

        @Override
        String heard(String text) {
            return ownName == null ? super.heard(text) : name + ": " + ownName + ": " + text;
        }
    }

    private static final class Web extends Participant {
        final Browser browser;

        Web(Browser browser, String name, String at) {
            super(name, at);
            this.browser = browser;
        }

        @Override
        void say(String text) {
            browser.say(text);
        }

        @Override
        void awaitLine(String line) {
            browser.awaitMessage(line::equals);
        }

        @Override
        List<String> lines() {
            return browser.messages();
        }

        @Override
        AutoCloseable client() {
            return browser;
        }
    }

    // ---- set-up -------------------------------------------------------------------------------------

    @BeforeAll
    void twoInstancesAndTheirClients() throws Exception {
        assertThat(Files.isExecutable(Path.of(PYTHON))).as("Debian's python3").isTrue();
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

        kai = own(new Classic(ClassicPeer.join(a.udpPort(), "kai"), "kai", "a"));
        kbo = own(new Classic(ClassicPeer.join(b.udpPort(), "kbo"), "kbo", "b"));
        pya = own(seed(a, "pya", false));
        Seed guestA = own(seed(a, "pva", true));
        Seed pyb = own(seed(b, "pyb", false));
        Seed guestB = own(seed(b, "pvb", true));
        Console vca = own(console(a, "vca"));
        vcb = own(console(b, "vcb"));
        wa = own(web(a, "wa"));
        wb = own(web(b, "wb"));
        assertThat(guestA.name).as("guest names are unique across instances").isNotEqualTo(guestB.name);
        awaitEveryoneListedOn(kai);
        awaitEveryoneListedOn(kbo);
    }

    private ServiceProcess instance(String id, Path identity) throws IOException {
        ServiceProcess service = ServiceProcess.launch(Map.of("ciphergram.identity.path", identity.toString(),
                "ciphergram.cluster.redis", redis.url(), "ciphergram.cluster.instance", id,
                "ciphergram.cluster.name", "it"), Map.of("CIPHERGRAM_ADMIN_TOKEN", TOKEN));
        open.add(service);
        return service;
    }

    private <P extends Participant> P own(P participant) {
        everyone.add(participant);
        open.add(participant.client());
        return participant;
    }

    /** A client of the original Python system; it joins the room with its first message. */
    private Seed seed(ServiceProcess at, String name, boolean noHandshake) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, SEED_CLIENT.toString(), "--port",
                Integer.toString(at.udpPort()), "--name", name));
        if (noHandshake) {
            command.add("--no-handshake");
        }
        ProcessPeer process = new ProcessPeer(command);
        process.awaitStderr("ready"::equals);
        String effective = name;
        if (noHandshake) {
            // it puts its name before every text, so it cannot send a command: it joins by saying something
            String welcome = process.awaitLine(l -> l.startsWith("* connected as guest-"));
            effective = welcome.substring("* connected as ".length(), welcome.indexOf(';'));
            process.say("joining");
            kai.awaitLine("* " + effective + " joined");
        } else {
            process.awaitLine(ClassicPeer.welcome(name));
            process.say("/help");
            process.awaitLine(l -> l.startsWith("* commands"));
        }
        return new Seed(process, effective, at == a ? "a" : "b", noHandshake ? name : null);
    }

    private Console console(ServiceProcess at, String name) throws IOException {
        ProcessPeer process = new ProcessPeer(List.of(JAVA, "-jar", CLI.toString(), "client", "--server",
                "127.0.0.1:" + at.udpPort(), "--name", name, "--known-servers", WORK.resolve("known-" + name).toString()));
        process.awaitLine("* you are " + name + "; /help lists commands");
        return new Console(process, name, at == a ? "a" : "b");
    }

    private Web web(ServiceProcess at, String name) throws IOException {
        Browser browser = new Browser();
        browser.open(at.httpUrl("/"));
        browser.join(name);
        browser.awaitMessage("* you are " + name + "; /help lists commands");
        return new Web(browser, name, at == a ? "a" : "b");
    }

    /** Asks {@code /who} until the answer lists every participant. */
    private void awaitEveryoneListedOn(Classic asking) {
        List<String> names = everyone.stream().map(p -> p.name).toList();
        await().atMost(ROOM_WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            asking.say("/who");
            return online(asking.peer.awaitLine(l -> l.startsWith("* online ("))).containsAll(names);
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
        for (Web page : List.of(wa, wb)) {
            await().atMost(Browser.WAIT).until(() -> page.browser.online().stream()
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
    void aNameTakenOnOneInstanceGetsASuffixOnTheOther() throws Exception {
        try (ClassicPeer second = ClassicPeer.join(b.udpPort(), "KAI")) {
            assertThat(second.received()).contains(
                    "* you are KAI2 (KAI is taken); say something to join the room (/help lists commands)");
            kai.awaitLine("* KAI2 joined");
        }
        kai.awaitLine("* KAI2 left");
        try (V2Peer twin = V2Peer.join(new InetSocketAddress("127.0.0.1", a.udpPort()), "vcb", WORK.resolve("known-twin"))) {
            twin.awaitLine("* you are vcb2 (vcb is taken); /help lists commands");
        }
    }

    @Test
    @Order(5)
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
        assertThat(kbo.lines()).noneMatch(l -> l.contains("while redis is down"));
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
    @Order(6)
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
        List<String> listed = online(kai.peer.awaitLine(l -> l.startsWith("* online (")));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(onA.stream().map(p -> p.name).toList());
        Predicate<List<String>> noneOfB = names -> onB.stream().noneMatch(p -> names.stream().anyMatch(n -> n.startsWith(p.name)));
        await().atMost(Browser.WAIT).until(() -> noneOfB.test(wa.browser.online()));
    }
}
