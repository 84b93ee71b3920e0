package io.ciphergram.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.ciphergram.store.StoreState.Acknowledged;
import io.ciphergram.store.StoreState.Appended;
import io.ciphergram.store.StoreState.Bound;
import io.ciphergram.store.StoreState.Change;
import io.ciphergram.store.StoreState.Deposited;
import io.ciphergram.store.StoreState.LastId;
import io.ciphergram.store.StoreState.LinesExpired;
import io.ciphergram.store.StoreState.MailExpired;
import io.ciphergram.store.StoreState.Purged;
import io.ciphergram.store.StoreState.Released;
import io.ciphergram.store.StoreState.SequencesFrom;

/**
 * A {@link Change} as a journal record's payload: its type in the first byte, then its fields, big-endian;
 * strings and byte strings as a 4-byte length and their bytes (UTF-8 for strings). An envelope is written as
 * the sealed bytes the sender made, nothing else of it.
 */
final class ChangeCodec {

    private static final byte BIND = 1;
    private static final byte RELEASE = 2;
    private static final byte MESSAGE = 3;
    private static final byte ACK = 4;
    private static final byte EXPIRE_MAIL = 5;
    private static final byte LINE = 6;
    private static final byte PURGE = 7;
    private static final byte EXPIRE_LINES = 8;
    private static final byte SEQUENCE = 9;
    private static final byte LAST_ID = 10;

    private ChangeCodec() {
    }

    static byte[] encode(Change change) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(change, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: it writes to memory
        }
        return bytes.toByteArray();
    }

    private static void write(Change change, DataOutputStream out) throws IOException {
        if (change instanceof Bound b) {
            NameBinding binding = b.binding();
            out.writeByte(BIND);
            writeString(out, b.key());
            writeString(out, binding.name());
            out.write(binding.identityKey());
            out.writeLong(binding.boundAtMillis());
            out.writeLong(binding.lastUsedMillis());
            SignedPrekey prekey = binding.prekey();
            out.writeBoolean(prekey != null);
            if (prekey != null) {
                out.writeInt(prekey.keyId());
                out.write(prekey.publicKey());
                out.writeLong(prekey.createdMillis());
                out.write(prekey.signature());
            }
        } else if (change instanceof Released r) {
            out.writeByte(RELEASE);
            writeString(out, r.key());
        } else if (change instanceof Deposited d) {
            StoredMessage m = d.message();
            out.writeByte(MESSAGE);
            out.writeLong(m.sequence());
            writeString(out, m.recipient());
            writeString(out, m.sender());
            writeBytes(out, m.envelope());
            out.writeLong(m.storedAtMillis());
        } else if (change instanceof Acknowledged a) {
            out.writeByte(ACK);
            writeString(out, a.key());
            out.writeLong(a.sequence());
        } else if (change instanceof MailExpired e) {
            out.writeByte(EXPIRE_MAIL);
            out.writeLong(e.cutoffMillis());
        } else if (change instanceof Appended a) {
            HistoryLine l = a.line();
            out.writeByte(LINE);
            out.writeLong(l.id());
            writeString(out, l.room());
            writeString(out, l.from());
            writeString(out, l.text());
            out.writeLong(l.timeMillis());
        } else if (change instanceof Purged p) {
            out.writeByte(PURGE);
            writeString(out, p.room());
        } else if (change instanceof LinesExpired e) {
            out.writeByte(EXPIRE_LINES);
            out.writeLong(e.cutoffMillis());
        } else if (change instanceof SequencesFrom s) {
            out.writeByte(SEQUENCE);
            out.writeLong(s.next());
        } else if (change instanceof LastId l) {
            out.writeByte(LAST_ID);
            writeString(out, l.room());
            out.writeLong(l.id());
        } else {
            throw new IllegalArgumentException("no record for " + change.getClass().getSimpleName());
        }
    }

    /** The change in {@code in}; throws if it is not one (the journal counts that as damage). */
    static Change decode(ByteBuffer in) {
        byte type = in.get();
        Change change = switch (type) {
            case BIND -> {
                String key = readString(in);
                String name = readString(in);
                byte[] identity = read(in, 32);
                long boundAt = in.getLong();
                long lastUsed = in.getLong();
                SignedPrekey prekey = null;
                if (in.get() != 0) {
                    int keyId = in.getInt();
                    byte[] publicKey = read(in, 32);
                    long created = in.getLong();
                    prekey = new SignedPrekey(keyId, publicKey, created, read(in, 64));
                }
                yield new Bound(key, new NameBinding(name, identity, boundAt, lastUsed, prekey));
            }
            case RELEASE -> new Released(readString(in));
            case MESSAGE -> {
                long sequence = in.getLong();
                String recipient = readString(in);
                String sender = readString(in);
                byte[] envelope = readBytes(in);
                yield new Deposited(new StoredMessage(sequence, recipient, sender, envelope, in.getLong()));
            }
            case ACK -> new Acknowledged(readString(in), in.getLong());
            case EXPIRE_MAIL -> new MailExpired(in.getLong());
            case LINE -> {
                long id = in.getLong();
                String room = readString(in);
                String from = readString(in);
                String text = readString(in);
                yield new Appended(new HistoryLine(id, room, from, text, in.getLong()));
            }
            case PURGE -> new Purged(readString(in));
            case EXPIRE_LINES -> new LinesExpired(in.getLong());
            case SEQUENCE -> new SequencesFrom(in.getLong());
            case LAST_ID -> new LastId(readString(in), in.getLong());
            default -> throw new IllegalArgumentException("unknown record type " + type);
        };
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("a record longer than its fields");
        }
        return change;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        writeBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }

    private static String readString(ByteBuffer in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a field runs past its record");
        }
        return read(in, length);
    }

    private static byte[] read(ByteBuffer in, int length) {
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }
}
