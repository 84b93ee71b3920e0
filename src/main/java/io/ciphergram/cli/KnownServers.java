package io.ciphergram.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.ciphergram.crypto.Fingerprint;

/**
 * The console client's trust-on-first-use record of server identities, like OpenSSH's {@code known_hosts}:
 * a text file with one {@code host:port SHA256:<base64>} line per server ({@link HostPort} in its canonical
 * form; blank lines and lines starting with {@code #} are ignored). The first fingerprint seen for a server
 * is appended; after that a different one is a {@link Trust#MISMATCH} and is never written over: the user
 * must edit the file, as with SSH. A fingerprint the user gives explicitly ({@code --fingerprint}) overrides
 * the file.
 *
 * <p>It fails closed: the directory is created {@code rwx------} and the file {@code rw-------}; reading is
 * strict, so a line that is not a record (bad UTF-8, a malformed host or fingerprint, a second record for
 * the same server) is an error naming the file and the line, never a silent first use; and the whole
 * check-then-append is done under a lock (a file lock between processes, a monitor between threads), so
 * two clients pinning the same server at once write one record.
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

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    /** A file lock belongs to the whole process, so threads of one process also queue on a monitor per file. */
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path file;

    public KnownServers(Path file) {
        this.file = file.toAbsolutePath().normalize();
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
     * @param server {@code host:port} as the user typed it
     * @throws IOException if the file cannot be read or written, or holds a line that is not a record
     */
    public Trust check(String server, Fingerprint presented) throws IOException {
        return check(HostPort.parse(server), presented, Optional.empty());
    }

    public Trust check(String server, Fingerprint presented, Optional<Fingerprint> pinned) throws IOException {
        return check(HostPort.parse(server), presented, pinned);
    }

    /**
     * Checks against a fingerprint the user gave explicitly, if any, which wins over the file: only a
     * presented fingerprint equal to {@code pinned} is a {@link Trust#MATCH}. A matching pin is recorded if
     * the server is new, so later runs without the pin trust it too; a different record is left alone.
     */
    public Trust check(HostPort server, Fingerprint presented, Optional<Fingerprint> pinned) throws IOException {
        if (pinned.isPresent() && !pinned.get().equals(presented)) {
            return Trust.MISMATCH;
        }
        synchronized (MONITORS.computeIfAbsent(file, f -> new Object())) {
            createPrivateDirectory();
            try (FileChannel channel = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), ownerOnly(OWNER_ONLY_FILE)); FileLock lock = channel.lock()) {
                tighten();
                byte[] content = readAll(channel);
                Fingerprint known = parse(content).get(server);
                if (known == null) {
                    append(channel, content, server + " " + presented + "\n");
                    return pinned.isPresent() ? Trust.MATCH : Trust.FIRST_USE;
                }
                return pinned.isPresent() || known.equals(presented) ? Trust.MATCH : Trust.MISMATCH;
            }
        }
    }

    /** The fingerprint recorded for a server, if any (for the user's warning). */
    public List<Fingerprint> recorded(String server) throws IOException {
        HostPort key = HostPort.parse(server);
        synchronized (MONITORS.computeIfAbsent(file, f -> new Object())) {
            if (!Files.exists(file)) {
                return List.of();
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                    FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
                Fingerprint known = parse(readAll(channel)).get(key);
                return known == null ? List.of() : List.of(known);
            }
        }
    }

    /** Every record, strictly: any line that is not a blank, a comment or one record is an error. */
    private Map<HostPort, Fingerprint> parse(byte[] content) throws IOException {
        Map<HostPort, Fingerprint> records = new LinkedHashMap<>();
        Map<HostPort, Integer> lineOf = new LinkedHashMap<>();
        int start = 0;
        for (int number = 1; start < content.length; number++) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            String line = decode(content, start, end, number).strip();
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("[ \t]+");
            if (fields.length != 2) {
                throw damaged(number, "a record is HOST:PORT and a fingerprint, separated by a space");
            }
            HostPort server;
            Fingerprint fingerprint;
            try {
                server = HostPort.parse(fields[0]);
                fingerprint = Fingerprint.parse(fields[1]);
            } catch (IllegalArgumentException e) {
                throw damaged(number, e.getMessage());
            }
            Integer earlier = lineOf.putIfAbsent(server, number);
            if (earlier != null) {
                throw damaged(number, "a second record for " + server + " (the first is on line " + earlier + ")");
            }
            records.put(server, fingerprint);
        }
        return records;
    }

    private String decode(byte[] content, int start, int end, int number) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw damaged(number, "not UTF-8 text");
        }
    }

    private IOException damaged(int line, String problem) {
        return new IOException("the known servers file " + file + " is damaged at line " + line + ": " + problem
                + ". Fix or remove that line; until then no server is trusted.");
    }

    private void append(FileChannel channel, byte[] content, String record) throws IOException {
        // A hand-edited file may lack its final newline: do not glue our record onto the user's last line.
        String text = content.length > 0 && content[content.length - 1] != '\n' ? "\n" + record : record;
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), channel.size());
        channel.force(true);
    }

    private static byte[] readAll(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, channel.size()));
        channel.read(buffer, 0);
        return buffer.array();
    }

    private void createPrivateDirectory() throws IOException {
        Path parent = file.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, ownerOnly(OWNER_ONLY_DIR));
        }
    }

    /** A file someone created with looser permissions is made private before it is written. */
    private void tighten() throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        }
    }

    private boolean posix() {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        // On a file system without POSIX permissions (Windows) the file inherits the directory's ACL.
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    @Override
    public String toString() {
        return "KnownServers[" + file + "]";
    }
}
