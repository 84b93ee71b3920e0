package io.ciphergram.cli.bench;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;

import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;

/**
 * The one RSA-2048 key pair every simulated client of a run offers, generated once: a real client makes a
 * fresh pair per session, which costs the client a second or so of CPU each and the server nothing more,
 * so a generator that did the same would measure itself. The server treats each offer on its own.
 */
record ClientKeys(KeyPair pair, byte[] classicPublicKeyDatagram, byte[] subjectPublicKeyInfo) {

    static ClientKeys generate(SecureRandom random) {
        KeyPair pair = RsaKeys.generate(random);
        return new ClientKeys(pair, ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) pair.getPublic())),
                pair.getPublic().getEncoded());
    }
}
