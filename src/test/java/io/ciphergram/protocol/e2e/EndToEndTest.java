package io.ciphergram.protocol.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.protocol.e2e.EndToEnd.Failure;
import io.ciphergram.protocol.e2e.EndToEnd.OpenFailure;

/**
 * Sealing and opening, and what the relay (or anyone between) can try: read, alter any field, replay,
 * redirect to someone else, re-sign as another identity, or serve a forged key bundle.
 */
class EndToEndTest {

    private static final long NOW = 1_700_000_000_000L;

    private final SecureRandom random = new SecureRandom();
    private final IdentityKeyPair alice = IdentityKeyPair.generate(random);
    private final IdentityKeyPair bob = IdentityKeyPair.generate(random);
    private final IdentityKeyPair mallory = IdentityKeyPair.generate(random);
    private final PrekeyPair bobOld = bob.newPrekey(1, NOW - Duration.ofDays(8).toMillis(), random);
    private final PrekeyPair bobCurrent = bob.newPrekey(2, NOW - Duration.ofDays(1).toMillis(), random);
    private final List<PrekeyPair> bobHolds = List.of(bobOld, bobCurrent);
    private final ReplayCache bobSeen = ReplayCache.withDefaults();

    private Envelope toBob(String text, PrekeyPair prekey) {
        return EndToEnd.seal(alice, "alice", "bob", new KeyBundle(bob.publicKey(), prekey.signedPrekey()),
                text.getBytes(StandardCharsets.UTF_8), NOW, random);
    }

    private EndToEnd.Opened bobOpens(Envelope envelope) throws OpenFailure {
        return EndToEnd.open(envelope, "bob", alice.publicKey(), bobHolds, bobSeen, NOW + 1000);
    }

    private Failure failureOf(Envelope envelope) {
        try {
            bobOpens(envelope);
        } catch (OpenFailure e) {
            return e.failure();
        }
        throw new AssertionError("it opened");
    }

    @Test
    void bobReadsWhatAliceSealedToHisCurrentOrHisKeptPrekey() throws Exception {
        EndToEnd.Opened opened = bobOpens(toBob("hi bob, psst", bobCurrent));
        assertThat(opened.text()).isEqualTo("hi bob, psst");
        assertThat(opened.sender()).isEqualTo("alice");
        assertThat(opened.recipient()).isEqualTo("bob");
        assertThat(opened.timeMillis()).isEqualTo(NOW);
        assertThat(bobOpens(toBob("sealed before the rotation", bobOld)).text()).isEqualTo("sealed before the rotation");
    }

    @Test
    void theEnvelopeDoesNotHoldThePlaintext() {
        byte[] text = "a secret nobody else reads".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = E2eCodec.encode(toBob(new String(text, StandardCharsets.UTF_8), bobCurrent));
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("secret");
    }

    @Test
    void theSameEnvelopeTwiceIsAReplay() throws Exception {
        Envelope envelope = toBob("once", bobCurrent);
        bobOpens(envelope);
        assertThat(failureOf(envelope)).isEqualTo(Failure.REPLAYED);
    }

    @Test
    void anEnvelopeForAliceIsNotOpenedAsBobs() {
        Envelope forCarol = EndToEnd.seal(alice, "alice", "carol", new KeyBundle(bob.publicKey(), bobCurrent.signedPrekey()),
                new byte[] {1}, NOW, random);
        assertThat(failureOf(forCarol)).isEqualTo(Failure.NOT_FOR_US);
    }

    @Test
    void everyFieldAlteredBreaksTheSignature() {
        Envelope e = toBob("hello", bobCurrent);
        byte[] id = e.messageId().clone();
        id[0] ^= 1;
        byte[] enc = e.encapsulatedKey().clone();
        enc[0] ^= 1;
        byte[] ct = e.ciphertext().clone();
        ct[0] ^= 1;
        byte[] sig = e.signature().clone();
        sig[0] ^= 1;
        List<Envelope> altered = List.of(
                new Envelope("alicf", "bob", e.recipientPrekeyId(), e.messageId(), e.timeMillis(), e.encapsulatedKey(), e.ciphertext(), e.signature()),
                new Envelope("alice", "bob", 1, e.messageId(), e.timeMillis(), e.encapsulatedKey(), e.ciphertext(), e.signature()),
                new Envelope("alice", "bob", e.recipientPrekeyId(), id, e.timeMillis(), e.encapsulatedKey(), e.ciphertext(), e.signature()),
                new Envelope("alice", "bob", e.recipientPrekeyId(), e.messageId(), e.timeMillis() + 1, e.encapsulatedKey(), e.ciphertext(), e.signature()),
                new Envelope("alice", "bob", e.recipientPrekeyId(), e.messageId(), e.timeMillis(), enc, e.ciphertext(), e.signature()),
                new Envelope("alice", "bob", e.recipientPrekeyId(), e.messageId(), e.timeMillis(), e.encapsulatedKey(), ct, e.signature()),
                new Envelope("alice", "bob", e.recipientPrekeyId(), e.messageId(), e.timeMillis(), e.encapsulatedKey(), e.ciphertext(), sig));
        for (Envelope a : altered) {
            assertThat(failureOf(a)).as(a.toString()).isEqualTo(Failure.BAD_SIGNATURE);
        }
        assertThat(bobSeen.size()).as("no forgery is remembered").isZero();
    }

    @Test
    void malloryCannotPassHerEnvelopeOffAsAlicesNorReSignAlicesAsHers() throws Exception {
        Envelope fromMallory = EndToEnd.seal(mallory, "alice", "bob", new KeyBundle(bob.publicKey(), bobCurrent.signedPrekey()),
                "I am alice".getBytes(StandardCharsets.UTF_8), NOW, random);
        assertThat(failureOf(fromMallory)).as("signed by a key that is not alice's pin").isEqualTo(Failure.BAD_SIGNATURE);

        // Mallory takes alice's envelope and re-signs it as herself: the HPKE info names alice's key id, so it does not open.
        Envelope alices = toBob("for bob only", bobCurrent);
        byte[] info = EndToEnd.info("mallory", "bob", mallory.publicKey(), alices.recipientPrekeyId());
        byte[] aad = EndToEnd.associatedData(alices.messageId(), alices.timeMillis());
        byte[] resigned = mallory.sign(EndToEnd.signedMessage(alices.encapsulatedKey(), alices.ciphertext(), aad, info));
        Envelope asMallorys = new Envelope("mallory", "bob", alices.recipientPrekeyId(), alices.messageId(), alices.timeMillis(),
                alices.encapsulatedKey(), alices.ciphertext(), resigned);
        assertThatThrownBy(() -> EndToEnd.open(asMallorys, "bob", mallory.publicKey(), bobHolds, bobSeen, NOW))
                .isInstanceOfSatisfying(OpenFailure.class, f -> assertThat(f.failure()).isEqualTo(Failure.UNDECRYPTABLE));
        assertThat(bobOpens(alices).text()).as("the original still opens").isEqualTo("for bob only");
    }

    @Test
    void aCiphertextReSignedUnderAnotherKeyForTheSameNameDoesNotOpen() {
        // Bob trusted a new key for "alice" (it is mallory's): alice's old envelopes, re-signed by that key, stay closed,
        // because the HPKE info names the sealing identity's key id.
        Envelope alices = toBob("sealed by the real alice", bobCurrent);
        byte[] info = EndToEnd.info("alice", "bob", mallory.publicKey(), alices.recipientPrekeyId());
        byte[] aad = EndToEnd.associatedData(alices.messageId(), alices.timeMillis());
        byte[] resigned = mallory.sign(EndToEnd.signedMessage(alices.encapsulatedKey(), alices.ciphertext(), aad, info));
        Envelope asAlicesNewKey = new Envelope("alice", "bob", alices.recipientPrekeyId(), alices.messageId(), alices.timeMillis(),
                alices.encapsulatedKey(), alices.ciphertext(), resigned);
        assertThatThrownBy(() -> EndToEnd.open(asAlicesNewKey, "bob", mallory.publicKey(), bobHolds, bobSeen, NOW))
                .isInstanceOfSatisfying(OpenFailure.class, f -> assertThat(f.failure()).isEqualTo(Failure.UNDECRYPTABLE));
    }

    @Test
    void aDeletedPrekeyOpensNothingAndTheWindowIsEnforced() {
        Envelope toOld = toBob("late", bobOld);
        assertThatThrownBy(() -> EndToEnd.open(toOld, "bob", alice.publicKey(), List.of(bobCurrent), bobSeen, NOW))
                .isInstanceOfSatisfying(OpenFailure.class, f -> assertThat(f.failure()).isEqualTo(Failure.UNKNOWN_PREKEY));
        Envelope envelope = toBob("very late", bobCurrent);
        assertThatThrownBy(() -> EndToEnd.open(envelope, "bob", alice.publicKey(), bobHolds, bobSeen, NOW + Duration.ofDays(9).toMillis()))
                .isInstanceOfSatisfying(OpenFailure.class, f -> assertThat(f.failure()).isEqualTo(Failure.OUT_OF_WINDOW));
    }

    @Test
    void aForgedBundleIsRefusedBeforeAnythingIsSealed() {
        PrekeyPair mallorysPrekey = mallory.newPrekey(2, NOW, random);
        KeyBundle forged = new KeyBundle(bob.publicKey(), mallorysPrekey.signedPrekey());
        assertThatThrownBy(() -> EndToEnd.seal(alice, "alice", "bob", forged, new byte[] {1}, NOW, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not signed");
    }

    @Test
    void theFailureSaysWhyAndNothingElse() {
        OpenFailure failure = new OpenFailure(Failure.BAD_SIGNATURE);
        assertThat(failure).hasMessage("BAD_SIGNATURE").hasNoCause();
        assertThat(failure.getStackTrace()).isEmpty();
    }
}
