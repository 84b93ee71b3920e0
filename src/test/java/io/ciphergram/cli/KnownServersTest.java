package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
    void aDamagedLineForTheServerFailsClosedInsteadOfTrustingAnew() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "chat.example:7000 SHA256:garbage\n");
        KnownServers known = new KnownServers(file());

        assertThat(known.check("chat.example:7000", GENUINE)).isEqualTo(Trust.MISMATCH);
        assertThat(Files.readString(file())).isEqualTo("chat.example:7000 SHA256:garbage\n");
    }

    @Test
    void refusesAServerNameThatWouldBreakTheFileFormat() {
        KnownServers known = new KnownServers(file());

        assertThatThrownBy(() -> known.check("evil.example:1 SHA256:x", GENUINE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> known.check("", GENUINE)).isInstanceOf(IllegalArgumentException.class);
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
