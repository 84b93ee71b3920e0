package io.ciphergram.relay;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.FloodGate;
import io.ciphergram.session.Session;

/** Flood control, applied before any decoding or crypto: drops are counted, with one notice per burst. */
final class FloodControl {

    private final Drops drops;
    private final Rooms room;

    FloodControl(Drops drops, Rooms room) {
        this.drops = drops;
        this.room = room;
    }

    /**
     * @param notify the participant to tell when a burst of drops starts, or null (a handshake cannot read it)
     */
    boolean admit(FloodGate gate, PeerId from, Session notify, long now) {
        FloodGate.Verdict verdict = gate.admit(now);
        if (verdict == FloodGate.Verdict.ADMITTED) {
            return true;
        }
        drops.drop(from, DropReason.FLOODED);
        if (verdict == FloodGate.Verdict.DROPPED_NOTICE_DUE && notify != null) {
            room.slowDown(notify);
        }
        return false;
    }
}
