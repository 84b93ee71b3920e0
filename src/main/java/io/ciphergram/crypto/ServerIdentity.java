package io.ciphergram.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * The server's long-term Ed25519 identity: it signs each v2 handshake transcript, and clients pin its
 * {@link Fingerprint} on first use.
 *
 * <p>Store format: one PEM {@code PRIVATE KEY} block holding the PKCS#8 (RFC 5208) DER of the key as RFC 8410
 * section 7 defines it for Ed25519, the format {@code openssl genpkey -algorithm ed25519} writes and
 * {@code openssl pkey -in <file> -pubout} reads. The public key is recomputed from the private seed (Bouncy
 * Castle, since the JDK cannot derive it). The file is created with mode {@code rw-------} from the first
 * byte: it is written to a temporary file made with those permissions in the same directory, flushed, and
 * renamed into place, so it is never readable by others and never seen half-written.
 */
public final class ServerIdentity {

    public static final int SIGNATURE_LENGTH = 64;

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
    /** SubjectPublicKeyInfo DER for Ed25519 is this fixed prefix then the 32 key bytes (RFC 8410 section 4). */
    private static final byte[] SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int RAW_KEY_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private static final ThreadLocal<Signature> ED25519 = ThreadLocal.withInitial(() -> {
        try {
            return Signature.getInstance("Ed25519");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    });

    private final PrivateKey privateKey;
    private final byte[] publicKeyEncoded;
    private final Fingerprint fingerprint;

    private ServerIdentity(PrivateKey privateKey, byte[] publicKeyEncoded) {
        this.privateKey = privateKey;
        this.publicKeyEncoded = publicKeyEncoded;
        this.fingerprint = Fingerprint.of(publicKeyEncoded);
    }

    /**
     * Loads the identity stored at {@code file}, or creates one there (and any missing parent directories,
     * owner-only) if there is no file yet.
     *
     * @throws IOException if the file cannot be read or written, or holds something other than an Ed25519
     *         PKCS#8 key (the message says which file and what to do)
     */
    public static ServerIdentity loadOrCreate(Path file, SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, ownerOnly(parent, OWNER_ONLY_DIR));
        }
        byte[] pkcs8 = generate(random);
        byte[] pem = toPem(pkcs8).getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(pkcs8, (byte) 0);
        Path temporary = Files.createTempFile(parent, ".server-identity-", ".tmp", ownerOnly(parent, OWNER_ONLY_FILE));
        try {
            Files.write(temporary, pem, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            // A plain move fails rather than replacing a key another process created meanwhile.
            Files.move(temporary, file);
        } catch (FileAlreadyExistsException e) {
            // Lost a race with another server instance starting at the same time: use its key.
        } finally {
            Arrays.fill(pem, (byte) 0);
            Files.deleteIfExists(temporary);
        }
        return load(file);
    }

    public static ServerIdentity loadOrCreate(Path file) throws IOException {
        return loadOrCreate(file, new SecureRandom());
    }

    private static ServerIdentity load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
                throw new IllegalArgumentException("no PEM PRIVATE KEY block");
            }
            byte[] der = Base64.getMimeDecoder().decode(text.substring(BEGIN.length(), text.length() - END.length()));
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            Arrays.fill(der, (byte) 0);
            byte[] seed = ((EdECPrivateKey) key).getBytes()
                    .orElseThrow(() -> new IllegalArgumentException("no private key bytes"));
            byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            Arrays.fill(seed, (byte) 0);
            byte[] spki = new byte[SPKI_PREFIX.length + RAW_KEY_LENGTH];
            System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
            System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, RAW_KEY_LENGTH);
            return new ServerIdentity(key, spki);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IOException("server identity key file " + file + " does not hold a PEM PKCS#8 Ed25519"
                    + " private key (" + e.getMessage() + "); restore it from backup, or move it away to"
                    + " create a new identity, which every client will then see as a changed fingerprint");
        }
    }

    private static byte[] generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator.generateKeyPair().getPrivate().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    private static String toPem(byte[] der) {
        return BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n" + END + "\n";
    }

    private static FileAttribute<?>[] ownerOnly(Path where, Set<PosixFilePermission> permissions) {
        // On a file system without POSIX permissions (Windows) the file inherits the directory's ACL.
        if (!where.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }

    /** The identity's fingerprint, what users compare and clients pin. */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The public key as SubjectPublicKeyInfo DER (44 bytes), what the handshake sends. */
    public byte[] publicKeyEncoded() {
        return publicKeyEncoded.clone();
    }

    /** Signs a handshake transcript; the signature is 64 bytes (RFC 8032 PureEdDSA, deterministic). */
    public byte[] sign(byte[] transcript) {
        try {
            Signature signature = ED25519.get();
            signature.initSign(privateKey);
            signature.update(transcript);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * Whether {@code signature} is the identity's signature over {@code transcript}. Any malformed input is
     * simply {@code false}.
     *
     * @param publicKeyEncoded the SubjectPublicKeyInfo DER as {@link #publicKeyEncoded()} gives it
     */
    public static boolean verify(byte[] publicKeyEncoded, byte[] transcript, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(publicKeyEncoded));
            Signature verifier = ED25519.get();
            verifier.initVerify(key);
            verifier.update(transcript);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "ServerIdentity[Ed25519 " + fingerprint + "]";
    }
}
