package io.ciphergram.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.crypto.PrekeyRotation;

/**
 * The console client's identity ({@code ~/.ciphergram/identity} by default, {@code --identity FILE}): the
 * Ed25519 identity key and the X25519 prekeys, made on first run and rotated by {@link PrekeyRotation}
 * (docs/PROTOCOL.md, "Client-side stores"). A text file, owner-only ({@code rw-------} in a
 * {@code rwx------} directory):
 *
 * <pre>
 * # comment lines and blank lines are ignored
 * ciphergram-identity 1
 * identity ed25519 &lt;base64 of the 32-byte RFC 8032 seed&gt;
 * prekey &lt;id&gt; &lt;created, ISO-8601 UTC, ms&gt; &lt;base64 of the 32-byte X25519 private key&gt;
 * prekey …
 * </pre>
 *
 * <p>Prekey signatures are not stored: Ed25519 is deterministic, so signing again on load gives the
 * signature the prekey was published with. Reading is strict: a line that is not exactly one of these, a
 * second identity, a repeated prekey id, a file without a prekey, is an error naming the file and the line,
 * and the file is left as it is: a damaged identity is never silently replaced by a new one (the user would
 * lose their name and every contact would see a changed key). A file that others can read is refused, as
 * SSH refuses an unprotected private key. Each instance belongs to one thread (the client's); separate
 * processes sharing the file coordinate through its lock.
 */
public final class IdentityFile {

    static final String HEADER = "ciphergram-identity 1";
    private static final String COMMENT = """
            # Ciphergram identity: your Ed25519 identity key and X25519 prekeys. Keep it private: whoever
            # holds it can use your name. Losing it loses your name's binding. Written by ciphergram-cli.
            """;

    private final Path file;
    private IdentityKeyPair identity;
    private List<PrekeyPair> prekeys;

    private IdentityFile(Path file, IdentityKeyPair identity, List<PrekeyPair> prekeys) {
        this.file = file;
        this.identity = identity;
        this.prekeys = sorted(prekeys);
    }

    /** {@code ~/.ciphergram/identity}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("user.home")).resolve(".ciphergram").resolve("identity");
    }

    /**
     * Loads the identity at {@code file}, or, if there is no file, makes one (an identity and its first
     * prekey, created now) and writes it.
     *
     * @throws IOException if the file cannot be read or written, is damaged (the message names the line), or
     *         others can read it
     */
    public static IdentityFile loadOrCreate(Path file, SecureRandom random, long nowMillis) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        return PrivateFiles.locked(absolute, () -> {
            if (Files.exists(absolute)) {
                return read(absolute);
            }
            IdentityKeyPair identity = IdentityKeyPair.generate(random);
            IdentityFile created = new IdentityFile(absolute, identity, List.of(identity.newPrekey(1, nowMillis, random)));
            created.write();
            return created;
        });
    }

    public Path file() {
        return file;
    }

    public IdentityKeyPair identity() {
        return identity;
    }

    /** Every prekey held, oldest first: the current one and those kept for what was sealed to them. */
    public List<PrekeyPair> prekeys() {
        return prekeys;
    }

    /** The prekey to publish: the newest. */
    public PrekeyPair currentPrekey() {
        return prekeys.get(prekeys.size() - 1);
    }

    /**
     * Applies {@link PrekeyRotation#plan} now: makes the prekey that is due and deletes the private halves
     * whose time is up, and writes the file if anything changed. Reads the file again first, under its lock,
     * so that another client on the same identity that rotated meanwhile is seen, not undone.
     *
     * @return whether a new prekey was made (the client then publishes its new bundle)
     */
    public boolean rotate(long nowMillis, SecureRandom random) throws IOException {
        return PrivateFiles.locked(file, () -> {
            IdentityFile onDisk = read(file);
            identity = onDisk.identity;
            prekeys = onDisk.prekeys;
            PrekeyRotation.Plan plan = PrekeyRotation.plan(prekeys.stream()
                    .map(p -> new PrekeyRotation.Held(p.id(), p.createdMillis())).toList(), nowMillis);
            if (!plan.newPrekeyDue() && plan.delete().isEmpty()) {
                return false;
            }
            List<PrekeyPair> next = new ArrayList<>(prekeys);
            next.removeIf(p -> plan.delete().contains(p.id()));
            if (plan.newPrekeyDue()) {
                int id = prekeys.stream().mapToInt(PrekeyPair::id).max().orElse(0) + 1;
                next.add(identity.newPrekey(id, nowMillis, random));
            }
            prekeys = sorted(next);
            write();
            return plan.newPrekeyDue();
        });
    }

    private static List<PrekeyPair> sorted(List<PrekeyPair> prekeys) {
        List<PrekeyPair> out = new ArrayList<>(prekeys);
        out.sort(Comparator.comparingLong(PrekeyPair::createdMillis).thenComparing(PrekeyPair::id, Integer::compareUnsigned));
        return List.copyOf(out);
    }

    private void write() throws IOException {
        StringBuilder text = new StringBuilder(COMMENT).append(HEADER).append('\n');
        byte[] seed = identity.privateKeyBytes();
        text.append("identity ed25519 ").append(Base64.getEncoder().encodeToString(seed)).append('\n');
        Arrays.fill(seed, (byte) 0);
        for (PrekeyPair p : prekeys) {
            byte[] privateHalf = p.privateKeyBytes();
            text.append("prekey ").append(Integer.toUnsignedString(p.id())).append(' ')
                    .append(Instant.ofEpochMilli(p.createdMillis())).append(' ')
                    .append(Base64.getEncoder().encodeToString(privateHalf)).append('\n');
            Arrays.fill(privateHalf, (byte) 0);
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            PrivateFiles.writeAtomically(file, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static IdentityFile read(Path file) throws IOException {
        if (PrivateFiles.posix(file)) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            permissions.removeAll(PrivateFiles.OWNER_ONLY_FILE);
            if (!permissions.isEmpty()) {
                throw new IOException("the identity file " + file + " can be read by others, so its key may have leaked;"
                        + " if that is not so, make it private (chmod 600 " + file + ") and start again");
            }
        }
        List<String> lines = PrivateFiles.readLines(file);
        boolean header = false;
        IdentityKeyPair identity = null;
        List<PrekeyPair> prekeys = new ArrayList<>();
        List<long[]> pending = new ArrayList<>();
        List<byte[]> pendingKeys = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String raw = lines.get(i);
            if (raw == null) {
                throw damaged(file, number, "not UTF-8 text");
            }
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("[ \t]+");
            if (!header) {
                if (!line.equals(HEADER)) {
                    throw damaged(file, number, "the first line is not \"" + HEADER + "\" (another format or version)");
                }
                header = true;
                continue;
            }
            switch (fields[0]) {
                case "identity" -> {
                    if (identity != null) {
                        throw damaged(file, number, "a second identity");
                    }
                    if (fields.length != 3 || !fields[1].equals("ed25519")) {
                        throw damaged(file, number, "an identity line is: identity ed25519 <base64 key>");
                    }
                    byte[] seed = key(file, number, fields[2], IdentityKeyPair.PRIVATE_KEY_LENGTH);
                    identity = IdentityKeyPair.fromPrivateKeyBytes(seed);
                    Arrays.fill(seed, (byte) 0);
                }
                case "prekey" -> {
                    if (fields.length != 4) {
                        throw damaged(file, number, "a prekey line is: prekey <id> <created> <base64 key>");
                    }
                    int id;
                    long created;
                    try {
                        id = Integer.parseUnsignedInt(fields[1]);
                        Instant instant = Instant.parse(fields[2]);
                        created = instant.toEpochMilli();
                        if (instant.getNano() % 1_000_000 != 0) {
                            throw new DateTimeParseException("below a millisecond", fields[2], 0);
                        }
                    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
                        throw damaged(file, number, "a prekey's id is a number and its time like 2025-01-31T12:00:00Z");
                    }
                    if (!ids.add(id)) {
                        throw damaged(file, number, "a second prekey " + Integer.toUnsignedString(id));
                    }
                    pending.add(new long[] {id, created, number});
                    pendingKeys.add(key(file, number, fields[3], PrekeyPair.PRIVATE_KEY_LENGTH));
                }
                default -> throw damaged(file, number, "not an identity or prekey line");
            }
        }
        if (!header) {
            throw damaged(file, Math.max(lines.size(), 1), "no \"" + HEADER + "\" line: the file is empty or not an identity");
        }
        if (identity == null) {
            throw damaged(file, lines.size(), "no identity line");
        }
        if (pending.isEmpty()) {
            throw damaged(file, lines.size(), "no prekey line");
        }
        for (int i = 0; i < pending.size(); i++) {
            long[] p = pending.get(i);
            prekeys.add(PrekeyPair.restore(identity, (int) p[0], p[1], pendingKeys.get(i)));
            Arrays.fill(pendingKeys.get(i), (byte) 0);
        }
        return new IdentityFile(file, identity, prekeys);
    }

    private static byte[] key(Path file, int number, String base64, int length) throws IOException {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw damaged(file, number, "the key is not base64");
        }
        if (key.length != length) {
            throw damaged(file, number, "the key is not " + length + " bytes");
        }
        return key;
    }

    /** Names the line, never its content: it holds a private key. */
    private static IOException damaged(Path file, int line, String problem) {
        return new IOException("the identity file " + file + " is damaged at line " + line + ": " + problem
                + ". Restore it from a backup; it is left as it is, and no new identity is made in its place.");
    }

    @Override
    public String toString() {
        return "IdentityFile[" + file + ", " + identity.publicKey().fingerprint() + ", " + prekeys.size() + " prekeys]";
    }
}
