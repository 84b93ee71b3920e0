package io.ciphergram.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.OriginalClient;
import io.ciphergram.testing.OriginalClient.Variant;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The three clients of the original Python system (src/test/python/originals/, run as real programs with
 * Debian's python3 and python3-pycryptodome, which .ci/run installs) chat through the service under the names
 * their users chose, with their name and first lines piped in one go, as people run them; and with each
 * other and the Java console client's connection.
 */
@QuarkusTest
class PythonSeedClientTest {

    @Inject
    UdpTransport udp;

    @BeforeAll
    static void pythonWithPycryptodome() throws Exception {
        OriginalClient.requirePython();
    }

    @Test
    void theSeedClientKeepsTheUsernameItSendsRightAfterItsKey() throws Exception {
        try (ClassicPeer java = ClassicPeer.join(udp.port(), "java-1");
                OriginalClient seed = OriginalClient.start(Variant.SEED, udp.port(), "alice", "hello")) {
            seed.awaitLine(ClassicPeer.welcome("alice"));
            // The seed client sends a line only once its receive thread has the key; "hello" may have been
            // read before that, in which case it says so and sends nothing (as the original does).
            boolean helloSent = !seed.printed(OriginalClient.WAITING);
            if (helloSent) {
                java.awaitLine("* alice joined");
                java.awaitLine("alice: hello");
            }
            seed.say("second line");
            java.awaitLine("alice: second line");
            java.say("hi alice");
            seed.awaitLine("java-1: hi alice");
            assertThat(java.received()).allMatch(l -> !l.startsWith("* ") || !l.endsWith(" joined")
                    || l.equals("* alice joined"), "nobody but alice joined");
        }
    }

    @Test
    void theVariantThatPutsNameBarsInEveryTextChatsUnderItsName() throws Exception {
        try (ClassicPeer java = ClassicPeer.join(udp.port(), "java-2");
                OriginalClient bars = OriginalClient.start(Variant.BARS, udp.port(), "bea", "hello from bars")) {
            java.awaitLine("* bea joined");
            java.awaitLine("bea: hello from bars");
            bars.awaitLine("* you are bea; /help lists commands");
            java.say("hi bea");
            bars.awaitLine("java-2: hi bea");
        }
    }

    @Test
    void theVariantThatPutsNameColonInEveryTextChatsUnderItsName() throws Exception {
        try (ClassicPeer java = ClassicPeer.join(udp.port(), "java-3");
                OriginalClient colon = OriginalClient.start(Variant.COLON, udp.port(), "cid", "hello from colon")) {
            java.awaitLine("* cid joined");
            java.awaitLine("cid: hello from colon");
            colon.awaitLine("Connected to the server. Type exit to quit.");
            java.say("hi cid");
            colon.awaitLine("java-3: hi cid");
        }
    }

    @Test
    void allThreeOriginalsChatWithEachOtherAndWithOurClient() throws Exception {
        try (ClassicPeer java = ClassicPeer.join(udp.port(), "py-java");
                OriginalClient seed = OriginalClient.start(Variant.SEED, udp.port(), "py-seed");
                OriginalClient bars = OriginalClient.start(Variant.BARS, udp.port(), "py-bars", "hi from bars");
                OriginalClient colon = OriginalClient.start(Variant.COLON, udp.port(), "py-colon", "hi from colon")) {
            seed.awaitLine(ClassicPeer.welcome("py-seed"));
            java.awaitLine("py-bars: hi from bars");
            java.awaitLine("py-colon: hi from colon");
            seed.say("hello from the seed client");
            java.awaitLine("py-seed: hello from the seed client");
            bars.awaitLine("py-seed: hello from the seed client");
            colon.awaitLine("py-seed: hello from the seed client");

            java.say("ünïcödé from java ✓");
            seed.awaitLine("py-java: ünïcödé from java ✓");
            bars.awaitLine("py-java: ünïcödé from java ✓");
            colon.awaitLine("py-java: ünïcödé from java ✓");

            // The variants' own prefix is theirs: their commands work too.
            colon.say("/who");
            colon.awaitLine(l -> l.startsWith("* online") && l.contains("py-bars") && l.contains("py-colon")
                    && l.contains("py-java") && l.contains("py-seed"));
            seed.say("/msg py-bars just us");
            bars.awaitLine("py-seed (private): just us");
        }
    }

    @Test
    void theOriginalsMoveToAnotherRoomGetItsEarlierLinesAndHearOnlyIt() throws Exception {
        try (ClassicPeer dev = ClassicPeer.join(udp.port(), "rm-dev"); ClassicPeer lobby = ClassicPeer.join(udp.port(), "rm-lobby")) {
            dev.say("/join #rmdev");
            dev.awaitLine("* you are in #rmdev");
            dev.say("said before they came");
            lobby.say("/rooms");
            lobby.awaitLine(l -> l.startsWith("* rooms: ") && l.contains("#rmdev (1)"));
            try (OriginalClient seed = OriginalClient.start(Variant.SEED, udp.port(), "rm-seed");
                    OriginalClient colon = OriginalClient.start(Variant.COLON, udp.port(), "rm-colon", "/join #rmdev")) {
                moveBetweenRooms(dev, lobby, seed, colon);
            }
        }
    }

    private static void moveBetweenRooms(ClassicPeer dev, ClassicPeer lobby, OriginalClient seed, OriginalClient colon)
            throws Exception {
        colon.awaitLine("* you are in #rmdev");
        colon.awaitLine("* end of earlier lines");
        assertThat(colon.history()).filteredOn(l -> l.endsWith("] rm-dev: said before they came")).hasSize(1);
        seed.awaitLine(ClassicPeer.welcome("rm-seed"));
        seed.say("/join #rmdev");
        seed.awaitLine("* you are in #rmdev");
        seed.awaitLine("* earlier in #rmdev:");
        seed.awaitLine("* end of earlier lines");
        assertThat(seed.history()).filteredOn(l -> l.endsWith("] rm-dev: said before they came")).hasSize(1);
        dev.awaitLine("* rm-seed joined");

        seed.say("hello the dev room");
        dev.awaitLine("rm-seed: hello the dev room");
        colon.awaitLine("rm-seed: hello the dev room");
        colon.say("and from colon");
        seed.awaitLine("rm-colon: and from colon");
        lobby.say("only the lobby");
        lobby.say("/rooms");
        lobby.awaitLine(l -> l.startsWith("* rooms: ") && l.contains("#rmdev (3)"));
        assertThat(lobby.received()).as("the lobby hears nothing of #rmdev")
                .noneMatch(l -> l.contains("hello the dev room") || l.contains("and from colon"));
        seed.say("/join #lobby");
        seed.awaitLine("* you are in #lobby");
        await().atMost(ClassicPeer.WAIT).until(() -> seed.history().stream().anyMatch(l -> l.endsWith("] rm-lobby: only the lobby")));
        dev.awaitLine("* rm-seed left");
    }
}
