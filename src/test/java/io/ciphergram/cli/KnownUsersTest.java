package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.KnownUsers.Trust;
import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.IdentityPublicKey;

/** Contacts' identity keys pinned on first use; a changed key is reported and kept out until trusted. */
class KnownUsersTest {

    @TempDir
    Path home;

    private final IdentityPublicKey alice = IdentityKeyPair.generate(new SecureRandom()).publicKey();
    private final IdentityPublicKey impostor = IdentityKeyPair.generate(new SecureRandom()).publicKey();

    private Path file() {
        return home.resolve(".ciphergram/known_users");
    }

    @Test
    void theFirstKeySeenIsPinnedOwnerOnly() throws IOException {
        KnownUsers known = new KnownUsers(file());

        KnownUsers.Check check = known.check("alice", alice);

        assertThat(check.trust()).isEqualTo(Trust.FIRST_USE);
        assertThat(check.pinned()).isEqualTo(alice);
        assertThat(Files.readAllLines(file())).contains("alice ed25519:" + Base64.getEncoder().encodeToString(alice.bytes()));
        assertThat(Files.getPosixFilePermissions(file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(new KnownUsers(file()).check("alice", alice).trust()).isEqualTo(Trust.MATCH);
    }

    @Test
    void aChangedKeyIsReportedAndThePinStaysUntilTheUserTrustsTheNewOne() throws IOException {
        KnownUsers known = new KnownUsers(file());
        known.check("alice", alice);

        KnownUsers.Check changed = known.check("alice", impostor);
        assertThat(changed.trust()).isEqualTo(Trust.CHANGED);
        assertThat(changed.pinned()).isEqualTo(alice);
        assertThat(known.check("alice", impostor).trust()).as("still changed, however often it is seen").isEqualTo(Trust.CHANGED);
        assertThat(known.pinned("alice")).contains(alice);

        known.trust("alice", impostor);
        assertThat(known.check("alice", impostor).trust()).isEqualTo(Trust.MATCH);
        assertThat(known.check("alice", alice).trust()).isEqualTo(Trust.CHANGED);
        assertThat(Files.readAllLines(file()).stream().filter(l -> l.startsWith("alice "))).hasSize(1);
    }

    @Test
    void trustAddsAContactNeverSeenAndKeepsEveryOtherLine() throws IOException {
        KnownUsers known = new KnownUsers(file());
        known.check("bob", impostor);
        Files.writeString(file(), "# my contacts\n" + Files.readString(file()));

        known.trust("alice", alice);

        assertThat(Files.readAllLines(file())).startsWith("# my contacts").hasSize(3);
        assertThat(known.pinned("alice")).contains(alice);
        assertThat(known.pinned("bob")).contains(impostor);
        assertThat(known.pinned("carol")).isEqualTo(Optional.empty());
    }

    @Test
    void aDamagedLineIsAnErrorNamingItNeverAFirstUse() throws IOException {
        Files.createDirectories(file().getParent());
        for (List<String> damage : List.of(List.of("alice"), List.of("alice SHA256:abc"), List.of("alice ed25519:!!"),
                List.of("alice ed25519:" + Base64.getEncoder().encodeToString(new byte[32])),
                List.of("alice ed25519:" + Base64.getEncoder().encodeToString(alice.bytes()),
                        "alice ed25519:" + Base64.getEncoder().encodeToString(impostor.bytes())))) {
            Files.write(file(), damage);
            assertThatThrownBy(() -> new KnownUsers(file()).check("alice", alice)).as(damage.toString())
                    .isInstanceOf(IOException.class).hasMessageContaining("line " + damage.size())
                    .hasMessageContaining("damaged");
        }
    }

    @Test
    void aNameThatCannotBeARecordIsRefused() {
        KnownUsers known = new KnownUsers(file());
        for (String bad : new String[] {"", "two words", "#comment", "tab\there", "x".repeat(129)}) {
            assertThatThrownBy(() -> known.check(bad, alice)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theDefaultIsUnderTheUsersHome() {
        assertThat(KnownUsers.defaultPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".ciphergram", "known_users"));
    }
}
