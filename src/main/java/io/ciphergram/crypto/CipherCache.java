package io.ciphergram.crypto;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Cipher;

/**
 * The {@code Cipher} last used with each of the keys a thread used most recently, so that sealing for
 * the same recipient again skips the AES key schedule: the JDK provider expands a key only when a
 * {@code Cipher} is initialised with a key other than its last one, and without this cache a relay that
 * encrypts for nine recipients in turn would expand nine keys per message (a quarter of its time, measured:
 * docs/BENCHMARKS.md). Bounded, so that a session holds no {@code Cipher} of its own: an idle one costs
 * nothing here and a busy one is kept warm. One cache per thread and transformation; not shared.
 */
final class CipherCache {

    /**
     * Keys kept warm per thread (system property {@code ciphergram.crypto.warm-keys}). A line to a room seals
     * under every member's key in turn: with more members than this, every key is evicted before it comes
     * round again and every record pays a new {@code Cipher} and key schedule. At 256, a room of 1,000 v2
     * members relayed 0.30x the plain relay's rate; at 2,048, 0.66x (docs/BENCHMARKS.md, "Warm keys"). An
     * initialised {@code Cipher} is 680-830 B, so the default holds at most about 1.7 MiB a thread, and only
     * for keys in use.
     */
    static final int CAPACITY = Integer.getInteger("ciphergram.crypto.warm-keys", 2048);

    private final String transformation;
    /** Keyed by the key's holder ({@link SessionKey}, {@link TrafficKey}), by identity: never two holders' keys alike. */
    private final ThreadLocal<Map<Object, Cipher>> perThread;

    CipherCache(String transformation) {
        this.transformation = transformation;
        this.perThread = ThreadLocal.withInitial(() -> new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Cipher> eldest) {
                return size() > CAPACITY;
            }
        });
    }

    /**
     * This thread's {@code Cipher} for the key {@code holder} holds; the caller initialises it with that key
     * (the same key again: no new schedule). Holders are told apart by identity, so that two holders of
     * equal key bytes (a test's, or a client's two directions) never share a {@code Cipher}, whose GCM
     * mode refuses a nonce it used last under the same key.
     */
    Cipher forKey(Object holder) {
        Map<Object, Cipher> ciphers = perThread.get();
        Cipher cipher = ciphers.get(holder);
        if (cipher == null) {
            cipher = ClassicMessageCipher.newCipher(transformation);
            ciphers.put(holder, cipher);
        }
        return cipher;
    }
}
