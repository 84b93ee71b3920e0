package io.ciphergram.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ciphergram.crypto.IdentityPublicKey;

/**
 * The identity keys of the console client's contacts, pinned on first use ({@code ~/.ciphergram/known_users},
 * like {@link KnownServers}; docs/PROTOCOL.md, "Client-side stores"): one {@code NAME ed25519:<base64 of the
 * 32-byte key>} line per contact, blank lines and {@code #} comments ignored. The key itself is pinned (its
 * fingerprint follows from it), so that the client can check a contact's envelopes and compute the safety
 * number without asking the relay.
 *
 * <p>The first key seen for a name is recorded ({@link Trust#FIRST_USE}); a different one later is
 * {@link Trust#CHANGED}: reported, and the old pin stays until the user accepts the new key with
 * {@link #trust} ({@code /trust NAME}); until then the client sends that contact nothing end to end.
 * Reading is strict (a line that is not a record is an error naming it, never a first use); every change
 * is a whole new file renamed into place under the file's lock, owner-only.
 */
public final class KnownUsers {

    /** What the client should do with the key a contact presented. */
    public enum Trust {
        /** Never seen before: now pinned. Tell the user what was pinned. */
        FIRST_USE,
        /** The pinned key. */
        MATCH,
        /** Not the pinned key: warn, and send nothing end to end until the user trusts it. */
        CHANGED
    }

    /** The verdict and the key pinned for the name (the presented one on first use). */
    public record Check(Trust trust, IdentityPublicKey pinned) {
    }

    private static final String PREFIX = "ed25519:";
    private static final int MAX_NAME_BYTES = 128;

    private final Path file;

    public KnownUsers(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    /** {@code ~/.ciphergram/known_users}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("user.home")).resolve(".ciphergram").resolve("known_users");
    }

    public Path file() {
        return file;
    }

    /**
     * Checks the key {@code name} presented against the pin, pinning it if the name is new.
     *
     * @throws IllegalArgumentException if {@code name} cannot be a record (empty, over 128 bytes, with
     *         white space or control characters, or starting with {@code #})
     * @throws IOException if the file cannot be read or written or holds a line that is not a record
     */
    public Check check(String name, IdentityPublicKey presented) throws IOException {
        requireName(name);
        return PrivateFiles.locked(file, () -> {
            Records records = read();
            IdentityPublicKey pinned = records.keys.get(name);
            if (pinned == null) {
                records.append(name, presented);
                write(records);
                return new Check(Trust.FIRST_USE, presented);
            }
            return new Check(pinned.equals(presented) ? Trust.MATCH : Trust.CHANGED, pinned);
        });
    }

    /** The key pinned for {@code name}, if any. */
    public Optional<IdentityPublicKey> pinned(String name) throws IOException {
        requireName(name);
        return PrivateFiles.locked(file, () -> Optional.ofNullable(read().keys.get(name)));
    }

    /** Pins {@code key} for {@code name}, replacing any other pin: the user accepted it ({@code /trust NAME}). */
    public void trust(String name, IdentityPublicKey key) throws IOException {
        requireName(name);
        PrivateFiles.locked(file, () -> {
            Records records = read();
            if (records.keys.containsKey(name)) {
                records.replace(name, key);
            } else {
                records.append(name, key);
            }
            write(records);
            return null;
        });
    }

    /** The file's lines as they are (comments kept), and the records in them. */
    private static final class Records {
        final List<String> lines = new ArrayList<>();
        final Map<String, IdentityPublicKey> keys = new LinkedHashMap<>();
        final Map<String, Integer> lineOf = new LinkedHashMap<>();

        void append(String name, IdentityPublicKey key) {
            lineOf.put(name, lines.size());
            lines.add(record(name, key));
            keys.put(name, key);
        }

        void replace(String name, IdentityPublicKey key) {
            lines.set(lineOf.get(name), record(name, key));
            keys.put(name, key);
        }
    }

    private static String record(String name, IdentityPublicKey key) {
        return name + " " + PREFIX + Base64.getEncoder().encodeToString(key.bytes());
    }

    private Records read() throws IOException {
        Records records = new Records();
        if (!Files.exists(file)) {
            return records;
        }
        List<String> lines = PrivateFiles.readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            if (line == null) {
                throw damaged(number, "not UTF-8 text");
            }
            records.lines.add(line);
            String content = line.strip();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            String[] fields = content.split("[ \t]+");
            if (fields.length != 2 || !fields[1].startsWith(PREFIX)) {
                throw damaged(number, "a record is a name and ed25519:<base64 key>, separated by a space");
            }
            IdentityPublicKey key;
            try {
                key = IdentityPublicKey.of(Base64.getDecoder().decode(fields[1].substring(PREFIX.length())));
            } catch (IllegalArgumentException e) {
                throw damaged(number, "not an Ed25519 identity key");
            }
            Integer earlier = records.lineOf.putIfAbsent(fields[0], i);
            if (earlier != null) {
                throw damaged(number, "a second record for " + fields[0] + " (the first is on line " + (earlier + 1) + ")");
            }
            records.keys.put(fields[0], key);
        }
        return records;
    }

    private void write(Records records) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : records.lines) {
            text.append(line).append('\n');
        }
        PrivateFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES
                || name.startsWith("#") || name.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("a contact's name is 1 to 128 bytes without spaces or control characters");
        }
    }

    private IOException damaged(int line, String problem) {
        return new IOException("the known users file " + file + " is damaged at line " + line + ": " + problem
                + ". Fix or remove that line; until then no contact's key is trusted.");
    }

    @Override
    public String toString() {
        return "KnownUsers[" + file + "]";
    }
}
