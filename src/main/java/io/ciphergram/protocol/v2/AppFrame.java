package io.ciphergram.protocol.v2;

import java.util.Arrays;

/**
 * What a v2 message (the reliable layer's unit, up to 64 KiB) carries between a client that asked for frames
 * (the {@code framed} feature of its KeyOffer) and the server: one app frame, its type in the first byte,
 * always below {@code 0x20} so that no text line is taken for one. Clients without the feature send and get
 * text lines only. {@link AppCodec} has the byte layout (docs/PROTOCOL.md, "App frames").
 */
public sealed interface AppFrame {

    // ---- server → client ------------------------------------------------------------------------------

    /**
     * A line said in a room, or a private message the relay could read.
     *
     * @param id the line's id in its room (0 for a private message), increasing: a client's catch-up cursor
     * @param timeMillis when the relay received it
     * @param history whether it comes from the room's history (said before the client arrived)
     * @param privately whether it is a private message (relay-readable: to or from a client without an identity)
     * @param room the room it was said in ({@code #lobby}); for a private message, empty
     */
    record Line(long id, long timeMillis, boolean history, boolean privately, String room, String from, String text)
            implements AppFrame {
    }

    /** A notice from the relay ({@code * ...}), with the time it was made. */
    record Notice(long timeMillis, String text) implements AppFrame {
    }

    /**
     * An end-to-end private message for this client, as its sender sealed it (docs/PROTOCOL.md, "Envelope").
     *
     * @param stored whether it waited in the client's mailbox while it was away
     */
    record Sealed(long timeMillis, boolean stored, byte[] envelope) implements AppFrame {
        public Sealed {
            envelope = envelope.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && s.timeMillis == timeMillis && s.stored == stored
                    && Arrays.equals(s.envelope, envelope);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(envelope);
        }
    }

    /** The key bundle of {@code name} (docs/PROTOCOL.md, "Key bundle"), or an empty one: nobody can be sealed to. */
    record Bundle(String name, byte[] bundle) implements AppFrame {
        public Bundle {
            bundle = bundle.clone();
        }

        @Override
        public byte[] bundle() {
            return bundle.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bundle b && b.name.equals(name) && Arrays.equals(b.bundle, bundle);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    // ---- client → server ------------------------------------------------------------------------------

    /** An end-to-end envelope for {@code to}: delivered, or kept in its mailbox if it is away. */
    record Seal(String to, byte[] envelope) implements AppFrame {
        public Seal {
            envelope = envelope.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seal s && s.to.equals(to) && Arrays.equals(s.envelope, envelope);
        }

        @Override
        public int hashCode() {
            return to.hashCode();
        }
    }

    /** Asks for the key bundle of {@code name}. */
    record GetBundle(String name) implements AppFrame {
    }

    /**
     * The client's current signed prekey, for its bound name (the identity is the one its handshake proved):
     * prekey id, created time, X25519 key and signature, as in a key bundle after its identity key.
     */
    record PublishPrekey(int keyId, long createdMillis, byte[] publicKey, byte[] signature) implements AppFrame {
        public PublishPrekey {
            if (publicKey.length != 32 || signature.length != 64) {
                throw new IllegalArgumentException("an X25519 key is 32 bytes and a signature 64");
            }
            publicKey = publicKey.clone();
            signature = signature.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublishPrekey p && p.keyId == keyId && p.createdMillis == createdMillis
                    && Arrays.equals(p.publicKey, publicKey) && Arrays.equals(p.signature, signature);
        }

        @Override
        public int hashCode() {
            return keyId;
        }
    }
}
