package io.ciphergram.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.ciphergram.crypto.Fingerprint;

/**
 * The client's trust-on-first-use record of server identities, like OpenSSH's {@code known_hosts}: a text
 * file with one {@code host:port SHA256:<base64>} line per server; blank lines and lines starting with
 * {@code #} are ignored. A line naming the server whose fingerprint does not parse still counts as a record
 * (one that matches nothing), so a damaged file fails closed instead of trusting anew. The first fingerprint
 * seen for a server is
 * appended; after that a different fingerprint is a {@link Trust#MISMATCH} and is never written over: the
 * user must edit the file, as with SSH. A fingerprint the user gives explicitly ({@code --fingerprint})
 * overrides the file.
 */
public final class KnownServers {

    /** What the client should do with the server it reached. */
    public enum Trust {
        /** Never seen before; the fingerprint has now been recorded. Tell the user what was pinned. */
        FIRST_USE,
        /** The fingerprint is the recorded (or explicitly pinned) one. */
        MATCH,
        /** The fingerprint differs from the recorded or pinned one: someone may be intercepting. Abort. */
        MISMATCH
    }

    private final Path file;

    public KnownServers(Path file) {
        this.file = file;
    }

    /** {@code ~/.ciphergram/known_servers}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("user.home")).resolve(".ciphergram").resolve("known_servers");
    }

    public Path file() {
        return file;
    }

    /**
     * Checks the fingerprint a server presented against the record, recording it if the server is new.
     *
     * @param hostPort {@code host:port} as the user typed it; compared case-insensitively
     */
    public synchronized Trust check(String hostPort, Fingerprint presented) throws IOException {
        String server = normalise(hostPort);
        Lookup known = lookup(server);
        if (known.isEmpty()) {
            append(server, presented);
            return Trust.FIRST_USE;
        }
        return known.fingerprints().contains(presented) ? Trust.MATCH : Trust.MISMATCH;
    }

    /**
     * Checks against a fingerprint the user gave explicitly, which wins over the file: only a presented
     * fingerprint equal to {@code pinned} is a {@link Trust#MATCH}. A matching pin is recorded if the server
     * is new, so later runs without the pin trust it too; an existing different record is left alone.
     */
    public synchronized Trust check(String hostPort, Fingerprint presented, Optional<Fingerprint> pinned)
            throws IOException {
        if (pinned.isEmpty()) {
            return check(hostPort, presented);
        }
        String server = normalise(hostPort);
        if (!pinned.get().equals(presented)) {
            return Trust.MISMATCH;
        }
        if (lookup(server).isEmpty()) {
            append(server, presented);
        }
        return Trust.MATCH;
    }

    /** The fingerprints recorded for a server, in file order; empty if none (for the user's warning). */
    public synchronized List<Fingerprint> recorded(String hostPort) throws IOException {
        return lookup(normalise(hostPort)).fingerprints();
    }

    private record Lookup(List<Fingerprint> fingerprints, boolean damaged) {
        boolean isEmpty() {
            return fingerprints.isEmpty() && !damaged;
        }
    }

    private Lookup lookup(String server) throws IOException {
        List<Fingerprint> found = new ArrayList<>();
        boolean damaged = false;
        if (!Files.exists(file)) {
            return new Lookup(found, false);
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (!fields[0].toLowerCase(Locale.ROOT).equals(server)) {
                continue;
            }
            try {
                if (fields.length != 2) {
                    throw new IllegalArgumentException("not host:port fingerprint");
                }
                found.add(Fingerprint.parse(fields[1]));
            } catch (IllegalArgumentException e) {
                damaged = true; // left for the user to see and fix; never rewritten
            }
        }
        return new Lookup(found, damaged);
    }

    private void append(String server, Fingerprint fingerprint) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        String line = server + " " + fingerprint + "\n";
        if (endsWithoutNewline()) {
            line = "\n" + line; // a hand-edited file; do not glue our line onto the user's last one
        }
        // One write per line with O_APPEND, so two clients pinning at once do not interleave bytes.
        Files.writeString(file, line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    private boolean endsWithoutNewline() throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        try (var channel = Files.newByteChannel(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            channel.position(channel.size() - 1).read(last);
            return last.get(0) != '\n';
        }
    }

    private static String normalise(String hostPort) {
        String server = hostPort.strip().toLowerCase(Locale.ROOT);
        if (server.isEmpty() || server.chars().anyMatch(Character::isWhitespace) || server.startsWith("#")) {
            throw new IllegalArgumentException("not a host:port: " + hostPort);
        }
        return server;
    }
}
