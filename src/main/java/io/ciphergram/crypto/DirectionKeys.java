package io.ciphergram.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The v2 key schedule: one AES-128-GCM key and IV salt per direction, so client and server never encrypt
 * under the same key and nonce space.
 *
 * <pre>
 * PRK      = HKDF-Extract(salt = transcript hash, IKM = session secret)
 * c2s key  = HKDF-Expand(PRK, "ciphergram v2 c2s key", 16)
 * c2s iv   = HKDF-Expand(PRK, "ciphergram v2 c2s iv",  12)
 * s2c key  = HKDF-Expand(PRK, "ciphergram v2 s2c key", 16)
 * s2c iv   = HKDF-Expand(PRK, "ciphergram v2 s2c iv",  12)
 * </pre>
 *
 * Salting with the transcript hash binds the keys to everything both sides saw in the handshake (the
 * server's signed identity included), so a tampered handshake yields keys that cannot open anything.
 */
public final class DirectionKeys {

    /** The HKDF-Extract salt: SHA-256 of the handshake transcript (generation 0) or of the key update chain. */
    public static final int SALT_LENGTH = 32;

    /*
     * HKDF-Expand labels, one per derived value and direction (TLS 1.3 derives "key" and "iv" per direction
     * the same way, RFC 8446 section 7.3). Distinct labels make the four outputs independent; the version
     * prefix keeps a future profile from ever deriving the same bytes.
     */
    public static final String LABEL_CLIENT_TO_SERVER_KEY = "ciphergram v2 c2s key";
    public static final String LABEL_CLIENT_TO_SERVER_IV = "ciphergram v2 c2s iv";
    public static final String LABEL_SERVER_TO_CLIENT_KEY = "ciphergram v2 s2c key";
    public static final String LABEL_SERVER_TO_CLIENT_IV = "ciphergram v2 s2c iv";

    public static final String CLIENT_TO_SERVER = "client->server";
    public static final String SERVER_TO_CLIENT = "server->client";

    private final TrafficKey clientToServer;
    private final TrafficKey serverToClient;

    private DirectionKeys(TrafficKey clientToServer, TrafficKey serverToClient) {
        this.clientToServer = clientToServer;
        this.serverToClient = serverToClient;
    }

    /**
     * @param transcriptHash SHA-256 of the handshake transcript, 32 bytes
     */
    public static DirectionKeys derive(SessionSecret secret, byte[] transcriptHash) {
        if (transcriptHash.length != SALT_LENGTH) {
            throw new IllegalArgumentException("the transcript hash is SHA-256, 32 bytes");
        }
        byte[] ikm = secret.encoded();
        byte[] prk = Hkdf.extract(transcriptHash, ikm);
        try {
            return new DirectionKeys(
                    trafficKey(prk, CLIENT_TO_SERVER,
                            LABEL_CLIENT_TO_SERVER_KEY, LABEL_CLIENT_TO_SERVER_IV),
                    trafficKey(prk, SERVER_TO_CLIENT,
                            LABEL_SERVER_TO_CLIENT_KEY, LABEL_SERVER_TO_CLIENT_IV));
        } finally {
            Arrays.fill(ikm, (byte) 0);
            Arrays.fill(prk, (byte) 0);
        }
    }

    private static TrafficKey trafficKey(byte[] prk, String direction, String keyLabel, String ivLabel) {
        byte[] key = Hkdf.expand(prk, keyLabel.getBytes(StandardCharsets.US_ASCII), SequencedAead.KEY_LENGTH);
        byte[] iv = Hkdf.expand(prk, ivLabel.getBytes(StandardCharsets.US_ASCII), SequencedAead.NONCE_LENGTH);
        try {
            return new TrafficKey(direction, key, iv);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(iv, (byte) 0);
        }
    }

    public TrafficKey clientToServer() {
        return clientToServer;
    }

    public TrafficKey serverToClient() {
        return serverToClient;
    }

    @Override
    public String toString() {
        return "DirectionKeys[redacted]";
    }
}
