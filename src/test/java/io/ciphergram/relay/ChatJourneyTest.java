package io.ciphergram.relay;

import static io.ciphergram.testing.ChatPeer.barrier;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;

/** Whole user journeys over real UDP sockets against the running service. */
@QuarkusTest
class ChatJourneyTest {

    @Inject
    UdpTransport udp;

    @Test
    void threeClientsChatAndEachReadsOthersMessagesUnderItsOwnKey() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j1alice");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "j1bob")) {
            alice.awaitLine(ClassicPeer.welcome("j1alice"));
            alice.awaitLine("* j1bob joined");
            try (ClassicPeer carol = ClassicPeer.join(udp.port(), "j1carol")) {
                bob.awaitLine("* j1carol joined");
                alice.awaitLine("* j1carol joined");
                alice.say("hello everyone");
                bob.awaitLine("j1alice: hello everyone");
                carol.awaitLine("j1alice: hello everyone");
                carol.say("héllo wörld ✓ 日本語");
                alice.awaitLine("j1carol: héllo wörld ✓ 日本語");
                bob.awaitLine("j1carol: héllo wörld ✓ 日本語");
                carol.say("/quit");
                alice.awaitLine("* j1carol left");
                barrier(bob, "j1bob", alice);
                // Each peer decrypts with its own session key only: nothing arrived that failed to open.
                assertThat(alice.received()).doesNotContain("<undecryptable>");
                assertThat(bob.received()).doesNotContain("<undecryptable>");
                // The sender does not get its own message back.
                assertThat(alice.received()).noneMatch(l -> l.startsWith("j1alice:"));
            }
        }
    }

    @Test
    void commandsWork() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j2alice");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "j2bob");
                ClassicPeer carol = ClassicPeer.join(udp.port(), "j2carol")) {
            carol.awaitLine(ClassicPeer.welcome("j2carol"));
            alice.awaitLine("* j2carol joined");
            alice.say("/who");
            alice.awaitLine(l -> l.startsWith("* online (") && l.contains("j2alice") && l.contains("j2bob")
                    && l.contains("j2carol"));
            alice.say("/msg J2BOB psst, only for you");
            bob.awaitLine("j2alice (private): psst, only for you");
            alice.say("/msg nobody-here hi");
            alice.awaitLine("* no such user: nobody-here");
            alice.say("/msg j2bob");
            alice.awaitLine("* usage: /msg <name> <text>");
            alice.say("/help");
            alice.awaitLine(l -> l.startsWith("* commands: /who"));
            alice.say("/dance");
            alice.awaitLine("* unknown command /dance; /help lists commands");
            bob.say("/quit");
            bob.awaitLine("* bye");
            alice.awaitLine("* j2bob left");
            carol.awaitLine("* j2bob left");
            alice.say("after bob left");
            carol.awaitLine("j2alice: after bob left");
            assertThat(carol.received()).noneMatch(l -> l.contains("psst"));
            assertThat(bob.received()).noneMatch(l -> l.contains("after bob left"));
        }
    }

    @Test
    void aTakenNameGetsASuffixAndTheClientIsToldItsName() throws Exception {
        try (ClassicPeer first = ClassicPeer.join(udp.port(), "j3dup");
                ClassicPeer second = ClassicPeer.join(udp.port(), "J3DUP");
                ClassicPeer third = ClassicPeer.join(udp.port(), "j3 dup!")) {
            first.awaitLine(ClassicPeer.welcome("j3dup"));
            second.awaitLine("* you are J3DUP2 (J3DUP is taken); say something to join the room (/help lists commands)");
            third.awaitLine("* you are j3_dup_ (names are 1-32 letters, digits, _ - .); say something to join the room"
                    + " (/help lists commands)");
            second.say("hi");
            first.awaitLine("J3DUP2: hi");
        }
    }

    @Test
    void noHandshakeClientsJoinAsGuestsAndTheirLinesCarryTheirGuestName() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j4alice");
                ClassicPeer guest = ClassicPeer.joinWithoutHandshake(udp.port())) {
            String welcome = guest.awaitLine(l -> l.startsWith("* connected as guest-"));
            String guestName = welcome.substring("* connected as ".length(), welcome.indexOf(';'));
            alice.awaitLine("* " + guestName + " joined");
            guest.say("dave: hello from a no-handshake client");
            alice.awaitLine(guestName + ": dave: hello from a no-handshake client");
            alice.say("hi dave");
            guest.awaitLine("j4alice: hi dave");
            alice.say("/who");
            alice.awaitLine(l -> l.startsWith("* online") && l.contains(guestName));
        }
    }

    @Test
    void aBareSynFromAMembersAddressDoesNotEndItsSession() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j5alice");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "j5bob")) {
            alice.awaitLine("* j5bob joined");
            bob.sendRaw("SYN".getBytes(StandardCharsets.US_ASCII)); // what anyone can send in bob's name
            bob.say("still here");
            alice.awaitLine("j5bob: still here");
            assertThat(alice.received()).doesNotContain("* j5bob left");
        }
    }

    @Test
    void aMessageTooLongForOneDatagramIsRefusedWithANotice() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j6alice");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "j6bob")) {
            alice.awaitLine("* j6bob joined");
            // 3050 bytes fit on their own, but not with the "j6alice: " prefix the relay adds.
            alice.say("y".repeat(3050));
            alice.awaitLine("* message not sent: 3059 bytes, at most 3055 fit in one message");
            alice.say("z".repeat(3046));
            bob.awaitLine("j6alice: " + "z".repeat(3046));
            assertThat(bob.received()).noneMatch(l -> l.contains("yyyy"));
        }
    }

    @Test
    void joinNoticesNeverPrecedeTheKeyReply() throws Exception {
        // Peers joining while others chat must still get the key reply first, or seed clients break.
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "j7alice")) {
            for (int n = 0; n < 5; n++) {
                int i = n;
                alice.say("chatter " + i);
                try (ClassicPeer late = ClassicPeer.join(udp.port(), "j7late" + i)) {
                    late.awaitLine(l -> l.startsWith("* you are j7late" + i));
                    assertThat(late.received()).doesNotContain("<undecryptable>");
                }
                alice.awaitLine("* j7late" + i + " joined");
            }
        }
    }
}
