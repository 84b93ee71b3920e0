package io.ciphergram.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one place text is decoded from the wire: strictly, as RFC 3629 UTF-8. A malformed sequence is never
 * replaced or skipped, it makes the whole datagram or message invalid, counted under the reason the caller
 * names (for classic messages that is the same reason as a padding failure, so nothing tells them apart).
 */
public final class Utf8 {

    private Utf8() {
    }

    public static String decode(byte[] bytes, DropReason onError) throws FrameException {
        try {
            return decodeStrict(bytes);
        } catch (CharacterCodingException e) {
            throw new FrameException(onError);
        }
    }

    /** The same, for a caller that decides itself what an invalid sequence means. */
    public static String decodeStrict(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }
}
