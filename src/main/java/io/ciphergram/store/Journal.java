package io.ciphergram.store;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only file of records, each {@code [length: int][crc32c of the payload: int][payload]} after an
 * 8-byte magic header. Appends are written and {@link #force forced}; {@link #rewrite} replaces the whole file
 * atomically (a temporary file forced, then renamed over it), which is how the store compacts.
 *
 * <p>Recovery reads records until the first one that is not whole and sound. A record cut short at the end of
 * the file is a write a crash interrupted (it never completed, so nobody was told it was kept): it is dropped
 * and the file truncated to the records before it. Anything else unreadable (a bad header, a checksum that
 * does not match before the last record, a payload the store cannot decode) is damage: the file is copied
 * aside as {@code NAME.damaged-MILLIS} for the operator, and the store goes on from the records before it.
 * Neither ever stops the service.
 *
 * <p>Not thread-safe: the store's own thread owns it. Files and directory are owner-only.
 */
final class Journal implements Closeable {

    static final byte[] MAGIC = {'C', 'G', 'S', 'T', 'O', 'R', 'E', '1'};
    /** Larger than any record the store writes (the largest envelope is 64 KiB): a length past it is damage. */
    static final int MAX_RECORD = 16 << 20;
    private static final int FRAME = 8;

    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    /**
     * What recovery found.
     *
     * @param records sound records replayed
     * @param droppedBytes bytes after them that were not (0 if the file was whole)
     * @param torn whether they were a last record cut short (a crash mid-write) rather than damage
     * @param damagedCopy where the damaged file was copied, or null
     */
    record Recovery(int records, long droppedBytes, boolean torn, Path damagedCopy) {
    }

    private final Path file;
    private FileChannel channel;
    private long size;

    private Journal(Path file) {
        this.file = file;
    }

    /**
     * Opens (or creates) {@code file}, handing each sound payload to {@code replay} in order; {@code replay}
     * throws an unchecked exception for a payload it cannot decode (that is damage, see the class comment).
     */
    static Journal open(Path file, Consumer<ByteBuffer> replay, Consumer<Recovery> recovered) throws IOException {
        Journal journal = new Journal(file);
        Recovery recovery = journal.recover(replay);
        recovered.accept(recovery);
        return journal;
    }

    private Recovery recover(Consumer<ByteBuffer> replay) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, ownerOnly(file, OWNER_ONLY_FILE));
        }
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long length = channel.size();
        long good = 0;
        int records = 0;
        boolean torn = false;
        channel.position(0);
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
        byte[] header = new byte[MAGIC.length];
        int headerRead = readFully(in, header);
        if (headerRead == MAGIC.length && Arrays.equals(header, MAGIC)) {
            good = MAGIC.length;
            CRC32C crc = new CRC32C();
            while (good < length) {
                long remaining = length - good;
                if (remaining < FRAME) {
                    torn = true;
                    break;
                }
                int recordLength = in.readInt();
                int checksum = in.readInt();
                if (recordLength < 0 || recordLength > MAX_RECORD) {
                    break;
                }
                if (remaining - FRAME < recordLength) {
                    torn = true;
                    break;
                }
                byte[] payload = new byte[recordLength];
                in.readFully(payload);
                crc.reset();
                crc.update(payload);
                if ((int) crc.getValue() != checksum) {
                    torn = good + FRAME + recordLength == length; // a last record half on the disk
                    break;
                }
                try {
                    replay.accept(ByteBuffer.wrap(payload).asReadOnlyBuffer());
                } catch (RuntimeException undecodable) {
                    break;
                }
                good += FRAME + recordLength;
                records++;
            }
        } else if (headerRead < MAGIC.length && Arrays.equals(header, 0, headerRead, MAGIC, 0, headerRead)) {
            torn = headerRead > 0; // created, and the crash came before its header was down
        }
        long dropped = length - good;
        Path copy = null;
        if (dropped > 0 && !torn) {
            copy = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
        if (good < MAGIC.length) {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(MAGIC), 0);
            good = MAGIC.length;
        } else if (dropped > 0) {
            channel.truncate(good);
        }
        channel.force(true);
        size = good;
        channel.position(size);
        return new Recovery(records, dropped, torn, copy);
    }

    private static int readFully(InputStream in, byte[] into) throws IOException {
        int read = 0;
        while (read < into.length) {
            int n = in.read(into, read, into.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    /** Writes {@code payloads} at the end, not yet forced. */
    void append(List<byte[]> payloads) throws IOException {
        ByteBuffer framed = frame(payloads, false);
        while (framed.hasRemaining()) {
            size += channel.write(framed, size);
        }
    }

    /** What was appended is on the disk when this returns. */
    void force() throws IOException {
        channel.force(false);
    }

    /** Bytes in the file. */
    long size() {
        return size;
    }

    /** Replaces the file with the header and {@code payloads}, atomically, and appends after them from now on. */
    void rewrite(List<byte[]> payloads) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".compacting");
        Files.deleteIfExists(temporary);
        try (FileChannel out = FileChannel.open(temporary, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly(temporary, OWNER_ONLY_FILE))) {
            ByteBuffer framed = frame(payloads, true);
            while (framed.hasRemaining()) {
                out.write(framed);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        size = channel.size();
    }

    /** The bytes {@code payloads} take in a file of their own, header included. */
    static long framedSize(List<byte[]> payloads) {
        long size = MAGIC.length;
        for (byte[] payload : payloads) {
            size += FRAME + payload.length;
        }
        return size;
    }

    private static ByteBuffer frame(List<byte[]> payloads, boolean withHeader) {
        int total = withHeader ? MAGIC.length : 0;
        for (byte[] payload : payloads) {
            total += FRAME + payload.length;
        }
        ByteBuffer framed = ByteBuffer.allocate(total);
        if (withHeader) {
            framed.put(MAGIC);
        }
        CRC32C crc = new CRC32C();
        for (byte[] payload : payloads) {
            crc.reset();
            crc.update(payload);
            framed.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        return framed.flip();
    }

    /** A rename is durable once its directory is forced (Linux); where a directory cannot be opened, skipped. */
    static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform lets a directory be opened; the rename is still atomic
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Owner-only permissions from the first byte, where the file system has POSIX permissions. */
    static FileAttribute<?>[] ownerOnly(Path path, Set<PosixFilePermission> permissions) {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && path.getFileSystem().equals(FileSystems.getDefault());
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
