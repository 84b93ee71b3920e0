package io.ciphergram.relay;

/**
 * How many rooms and members, and how much history on arrival, each from a {@code ciphergram.*} setting.
 *
 * @param maxRooms rooms with members on this instance ({@code ciphergram.rooms.max}); {@code /join} of a new one
 *        beyond it is refused
 * @param maxMembers members of one room ({@code ciphergram.rooms.max-members})
 * @param replayLines lines of history sent on arrival in a room ({@code ciphergram.history.replay-lines}; 0 none)
 */
public record RoomLimits(int maxRooms, int maxMembers, int replayLines) {

    public RoomLimits {
        if (maxRooms < 1 || maxMembers < 1 || replayLines < 0) {
            throw new IllegalArgumentException("rooms and members at least 1, replay lines at least 0");
        }
    }

    public static RoomLimits defaults() {
        return new RoomLimits(1_000, 10_000, 50);
    }
}
