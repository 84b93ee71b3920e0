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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's private files (identity, known users): a {@code rwx------} directory, {@code rw-------}
 * files written whole to a temporary file, flushed and renamed into place (never seen half-written, never
 * lost to a crash in the middle), and every read-modify-write under a lock on a sibling {@code .lock} file
 * (a file lock between processes, a monitor between threads of one process, which shares its file locks).
 * The lock is on a sibling because the file itself is replaced by each write.
 */
final class PrivateFiles {

    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    /** Work done while holding the file's lock. */
    interface Locked<T> {
        T run() throws IOException;
    }

    private PrivateFiles() {
    }

    static <T> T locked(Path file, Locked<T> work) throws IOException {
        createPrivateDirectory(file);
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        synchronized (MONITORS.computeIfAbsent(file, f -> new Object())) {
            try (FileChannel channel = FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    ownerOnly(file, OWNER_ONLY_FILE)); FileLock lock = channel.lock()) {
                return work.run();
            }
        }
    }

    static void createPrivateDirectory(Path file) throws IOException {
        Path parent = file.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, ownerOnly(parent, OWNER_ONLY_DIR));
        }
    }

    /** Replaces {@code file} with {@code content}, owner-only from its first byte. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName() + "-", ".tmp",
                ownerOnly(file, OWNER_ONLY_FILE));
        try {
            Files.write(temporary, content, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The file's lines, strictly UTF-8; a line that is not is {@code null}, for the caller to report. */
    static List<String> readLines(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            try {
                lines.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content, start, end - start))
                        .toString());
            } catch (CharacterCodingException e) {
                lines.add(null);
            }
            start = end + 1;
        }
        return lines;
    }

    static boolean posix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static FileAttribute<?>[] ownerOnly(Path where, Set<PosixFilePermission> permissions) {
        // On a file system without POSIX permissions (Windows) the file inherits the directory's ACL.
        return posix(where) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
