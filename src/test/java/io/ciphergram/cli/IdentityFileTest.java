package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.PrekeyPair;

/**
 * The console client's identity file: made on first run, owner-only, read strictly (a damaged file is an
 * error naming the line and is never replaced by a new identity), and rotated on schedule.
 */
class IdentityFileTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final long DAY = Duration.ofDays(1).toMillis();

    @TempDir
    Path home;

    private final SecureRandom random = new SecureRandom();

    private Path file() {
        return home.resolve(".ciphergram/identity");
    }

    @Test
    void theFirstRunMakesAnIdentityAndAPrekeyOwnerOnly() throws IOException {
        IdentityFile created = IdentityFile.loadOrCreate(file(), random, T0);

        assertThat(created.prekeys()).singleElement().satisfies(p -> {
            assertThat(p.createdMillis()).isEqualTo(T0);
            assertThat(p.signedPrekey().verifiedBy(created.identity().publicKey())).isTrue();
        });
        assertThat(Files.getPosixFilePermissions(file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file().getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (var listing = Files.list(file().getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).as("no temporary file is left")
                    .allMatch(n -> n.equals("identity") || n.equals("identity.lock"));
        }
        String text = Files.readString(file());
        assertThat(text).startsWith("# ").contains("\nciphergram-identity 1\n").contains("\nidentity ed25519 ")
                .contains("\nprekey 1 2023-11-14T22:13:20Z ");
    }

    @Test
    void laterRunsLoadTheSameIdentityAndPrekeys() throws IOException {
        IdentityFile first = IdentityFile.loadOrCreate(file(), random, T0);
        IdentityFile again = IdentityFile.loadOrCreate(file(), random, T0 + 1000);

        assertThat(again.identity().publicKey()).isEqualTo(first.identity().publicKey());
        assertThat(again.currentPrekey().signedPrekey()).isEqualTo(first.currentPrekey().signedPrekey());
    }

    @Test
    void rotationMakesANewPrekeyWeeklyAndDeletesARetiredOneTwoWeeksLater() throws IOException {
        IdentityFile identity = IdentityFile.loadOrCreate(file(), random, T0);
        PrekeyPair first = identity.currentPrekey();

        assertThat(identity.rotate(T0 + 6 * DAY, random)).isFalse();
        assertThat(identity.rotate(T0 + 7 * DAY, random)).isTrue();
        assertThat(identity.currentPrekey().id()).isEqualTo(2);
        assertThat(identity.prekeys()).extracting(PrekeyPair::id).containsExactly(1, 2);

        assertThat(identity.rotate(T0 + 14 * DAY, random)).isTrue();
        assertThat(identity.prekeys()).extracting(PrekeyPair::id).containsExactly(1, 2, 3);
        assertThat(identity.rotate(T0 + 21 * DAY, random)).isTrue();
        assertThat(identity.prekeys()).extracting(PrekeyPair::id).as("1 was retired on day 7: deleted on day 21")
                .containsExactly(2, 3, 4);

        String onDisk = Files.readString(file());
        byte[] firstPrivate = first.privateKeyBytes();
        assertThat(onDisk).as("the deleted private half is gone from the file")
                .doesNotContain(Base64.getEncoder().encodeToString(firstPrivate));
        assertThat(IdentityFile.loadOrCreate(file(), random, T0 + 21 * DAY).prekeys()).extracting(PrekeyPair::id)
                .containsExactly(2, 3, 4);
    }

    @Test
    void aDamagedFileIsAnErrorNamingTheLineAndIsNeverReplaced() throws IOException {
        IdentityFile.loadOrCreate(file(), random, T0);
        List<String> lines = new ArrayList<>(Files.readAllLines(file()));
        int identityLine = lines.indexOf(lines.stream().filter(l -> l.startsWith("identity ")).findFirst().orElseThrow());
        lines.set(identityLine, "identity ed25519 not-base64!");
        Files.write(file(), lines);
        byte[] damaged = Files.readAllBytes(file());

        assertThatThrownBy(() -> IdentityFile.loadOrCreate(file(), random, T0)).isInstanceOf(IOException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining("line " + (identityLine + 1))
                .hasMessageNotContaining("not-base64");
        assertThat(Files.readAllBytes(file())).isEqualTo(damaged);
    }

    @Test
    void everyKindOfDamageIsRefused() throws IOException {
        IdentityFile.loadOrCreate(file(), random, T0);
        String good = Files.readString(file());
        String prekeyLine = good.lines().filter(l -> l.startsWith("prekey ")).findFirst().orElseThrow();
        List<String> damages = List.of(
                "",
                good.replace("ciphergram-identity 1", "ciphergram-identity 2"),
                good.replace(prekeyLine + "\n", ""),
                good + prekeyLine + "\n",
                good.replace(prekeyLine, prekeyLine.replace("2023-11-14T22:13:20Z", "yesterday")),
                good.replace(prekeyLine, prekeyLine + " extra"),
                good + "surprise field\n",
                good + good.lines().filter(l -> l.startsWith("identity ")).findFirst().orElseThrow() + "\n");
        for (String damage : damages) {
            Files.writeString(file(), damage, StandardCharsets.UTF_8);
            assertThatThrownBy(() -> IdentityFile.loadOrCreate(file(), random, T0)).as(damage).isInstanceOf(IOException.class)
                    .hasMessageContaining("damaged");
        }
    }

    @Test
    void aFileOthersCanReadIsRefusedAsSshRefusesAnUnprotectedKey() throws IOException {
        IdentityFile.loadOrCreate(file(), random, T0);
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> IdentityFile.loadOrCreate(file(), random, T0)).isInstanceOf(IOException.class)
                .hasMessageContaining("chmod 600");
    }

    @Test
    void twoClientsStartingAtOnceShareOneIdentity() throws Exception {
        int clients = 4;
        CyclicBarrier start = new CyclicBarrier(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<IdentityPublicKey>> keys = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                keys.add(pool.submit(() -> {
                    start.await();
                    return IdentityFile.loadOrCreate(file(), new SecureRandom(), T0).identity().publicKey();
                }));
            }
            IdentityPublicKey first = keys.get(0).get(10, TimeUnit.SECONDS);
            for (Future<IdentityPublicKey> k : keys) {
                assertThat(k.get(10, TimeUnit.SECONDS)).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDefaultIsUnderTheUsersHome() {
        assertThat(IdentityFile.defaultPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".ciphergram", "identity"));
    }
}
