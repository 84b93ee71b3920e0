package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.KnownServers.Trust;
import io.ciphergram.crypto.Fingerprint;

class KnownServersTest {

    private static final Fingerprint GENUINE = Fingerprint.of("genuine server key".getBytes());
    private static final Fingerprint IMPOSTOR = Fingerprint.of("impostor key".getBytes());

    @TempDir
    Path home;

    private Path file() {
        return home.resolve(".ciphergram/known_servers");
    }

    @Test
    void firstContactIsRecordedAsFirstUse() throws IOException {
        KnownServers known = new KnownServers(file());

        assertThat(known.check("chat.example:7000", GENUINE)).isEqualTo(Trust.FIRST_USE);

        assertThat(Files.readAllLines(file())).containsExactly("chat.example:7000 " + GENUINE);
    }

    @Test
    void theRecordedFingerprintMatchesOnLaterConnectsAcrossInstances() throws IOException {
        new KnownServers(file()).check("chat.example:7000", GENUINE);

        KnownServers later = new KnownServers(file());

        assertThat(later.check("chat.example:7000", GENUINE)).isEqualTo(Trust.MATCH);
        assertThat(later.check("CHAT.example:7000", GENUINE)).isEqualTo(Trust.MATCH);
        assertThat(Files.readAllLines(file())).hasSize(1);
    }

    @Test
    void aChangedFingerprintIsAMismatchAndIsNeverWrittenOver() throws IOException {
        KnownServers known = new KnownServers(file());
        known.check("chat.example:7000", GENUINE);
        String before = Files.readString(file());

        assertThat(known.check("chat.example:7000", IMPOSTOR)).isEqualTo(Trust.MISMATCH);
        assertThat(known.check("chat.example:7000", IMPOSTOR)).isEqualTo(Trust.MISMATCH);

        assertThat(Files.readString(file())).isEqualTo(before);
        assertThat(known.recorded("chat.example:7000")).containsExactly(GENUINE);
    }

    @Test
    void eachHostAndPortIsTrustedSeparately() throws IOException {
        KnownServers known = new KnownServers(file());
        known.check("chat.example:7000", GENUINE);

        assertThat(known.check("chat.example:7001", IMPOSTOR)).isEqualTo(Trust.FIRST_USE);
        assertThat(known.check("chat.example:7000", IMPOSTOR)).isEqualTo(Trust.MISMATCH);
    }

    @Test
    void anExplicitPinWinsOverTheRecord() throws IOException {
        KnownServers known = new KnownServers(file());
        known.check("chat.example:7000", GENUINE);

        assertThat(known.check("chat.example:7000", IMPOSTOR, Optional.of(IMPOSTOR))).isEqualTo(Trust.MATCH);
        assertThat(known.check("chat.example:7000", GENUINE, Optional.of(IMPOSTOR))).isEqualTo(Trust.MISMATCH);
        assertThat(known.recorded("chat.example:7000")).containsExactly(GENUINE);
    }

    @Test
    void aPinMustMatchEvenOnFirstContactAndIsRecordedWhenItDoes() throws IOException {
        KnownServers known = new KnownServers(file());

        assertThat(known.check("new.example:7000", IMPOSTOR, Optional.of(GENUINE))).isEqualTo(Trust.MISMATCH);
        assertThat(file()).doesNotExist();

        assertThat(known.check("new.example:7000", GENUINE, Optional.of(GENUINE))).isEqualTo(Trust.MATCH);
        assertThat(known.check("new.example:7000", GENUINE)).isEqualTo(Trust.MATCH);
    }

    @Test
    void noPinBehavesLikeTrustOnFirstUse() throws IOException {
        KnownServers known = new KnownServers(file());

        assertThat(known.check("chat.example:7000", GENUINE, Optional.empty())).isEqualTo(Trust.FIRST_USE);
        assertThat(known.check("chat.example:7000", IMPOSTOR, Optional.empty())).isEqualTo(Trust.MISMATCH);
    }

    @Test
    void commentsAndBlankLinesAreSkippedAndAppendingToAHandEditedFileKeepsLinesApart() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "# my servers\n\nother:1 " + GENUINE); // no final newline
        KnownServers known = new KnownServers(file());

        assertThat(known.check("other:1", GENUINE)).isEqualTo(Trust.MATCH);
        assertThat(known.check("chat.example:7000", GENUINE)).isEqualTo(Trust.FIRST_USE);
        assertThat(Files.readAllLines(file())).endsWith("other:1 " + GENUINE, "chat.example:7000 " + GENUINE);
    }

    @Test
    void aDamagedLineIsAnErrorNamingTheFileAndLineNeverAFirstUse() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "# ok\nchat.example:7000 SHA256:garbage\n");
        KnownServers known = new KnownServers(file());

        assertThatThrownBy(() -> known.check("chat.example:7000", GENUINE)).isInstanceOf(IOException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining("line 2");
        assertThatThrownBy(() -> known.check("other.example:1", GENUINE)).isInstanceOf(IOException.class);
        assertThat(Files.readString(file())).isEqualTo("# ok\nchat.example:7000 SHA256:garbage\n");
    }

    @Test
    void aRecordWhoseHostStartsWithNulIsAnErrorNotAFirstUse() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "\u0000chat.example:7000 " + GENUINE + "\n");

        assertThatThrownBy(() -> new KnownServers(file()).check("chat.example:7000", IMPOSTOR))
                .isInstanceOf(IOException.class).hasMessageContaining("line 1");
    }

    @Test
    void anInvalidByteIsAnErrorNamingItsLine() throws IOException {
        Files.createDirectories(file().getParent());
        byte[] content = ("a.example:1 " + GENUINE + "\nb.example:2 " + GENUINE + "\n# caf\u00e9\n").getBytes(
                StandardCharsets.UTF_8);
        content[content.length - 3] = (byte) 0xFF;
        Files.write(file(), content);

        assertThatThrownBy(() -> new KnownServers(file()).check("a.example:1", GENUINE)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 3").hasMessageContaining("UTF-8");
    }

    @Test
    void twoRecordsForOneServerAreAnError() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "chat.example:7000 " + GENUINE + "\nCHAT.example:7000 " + IMPOSTOR + "\n");

        assertThatThrownBy(() -> new KnownServers(file()).check("chat.example:7000", IMPOSTOR))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2").hasMessageContaining("line 1");
    }

    @Test
    void serversAreKeyedByACanonicalHostAndPort() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "Chat.Example:07000 " + GENUINE + "\n");
        KnownServers known = new KnownServers(file());

        assertThat(known.check("chat.example:7000", GENUINE)).isEqualTo(Trust.MATCH);
        assertThat(known.check("chat.example:7000", IMPOSTOR)).isEqualTo(Trust.MISMATCH);
        assertThat(known.check("[2001:DB8::1]:7000", GENUINE)).isEqualTo(Trust.FIRST_USE);
        assertThat(Files.readAllLines(file())).endsWith("[2001:db8::1]:7000 " + GENUINE);
    }

    @Test
    void theStoreIsReadableByItsOwnerOnly() throws IOException {
        new KnownServers(file()).check("chat.example:7000", GENUINE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file().getParent())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-------");
    }

    @Test
    void clientsPinningTheSameServersAtOnceWriteOneRecordEach() throws Exception {
        int clients = 16;
        int servers = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CyclicBarrier start = new CyclicBarrier(clients);
        List<Future<List<Trust>>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> {
                List<Trust> trusts = new ArrayList<>();
                for (int s = 0; s < servers; s++) {
                    start.await();
                    trusts.add(new KnownServers(file()).check("race.example:" + (s + 1), GENUINE));
                }
                return trusts;
            }));
        }
        List<Trust> trusts = new ArrayList<>();
        for (var r : results) {
            trusts.addAll(r.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(trusts.stream().filter(t -> t == Trust.FIRST_USE)).hasSize(servers);
        assertThat(trusts).doesNotContain(Trust.MISMATCH);
        assertThat(Files.readAllLines(file())).hasSize(servers).doesNotHaveDuplicates();
    }

    @Test
    void refusesAServerNameThatWouldBreakTheFileFormat() {
        KnownServers known = new KnownServers(file());

        assertThatThrownBy(() -> known.check("evil.example:1 SHA256:x", GENUINE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> known.check("", GENUINE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> known.check("\u0000evil:1", GENUINE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultsToTheCiphergramDirectoryInTheUsersHome() {
        assertThat(KnownServers.defaultPath())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".ciphergram", "known_servers"));
    }

    @Test
    void fingerprintParsingRejectsWhatIsNotASha256Fingerprint() {
        assertThatThrownBy(() -> Fingerprint.parse("MD5:abcd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fingerprint.parse("SHA256:AAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fingerprint.parse("SHA256:!!")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Fingerprint.parse(" " + GENUINE + " ")).isEqualTo(GENUINE);
    }
}
