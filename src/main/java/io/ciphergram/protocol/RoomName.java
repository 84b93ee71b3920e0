package io.ciphergram.protocol;

/**
 * Room names: {@code #} and 1-32 characters of ASCII {@code A-Z a-z 0-9 _ - .}, the same room ignoring ASCII
 * case (as {@link UserName}s are the same name). Everyone starts in {@link #LOBBY}.
 */
public final class RoomName {

    /** Where every session starts. */
    public static final String LOBBY = "#lobby";
    /** The longest room name, {@code #} included. */
    public static final int MAX_LENGTH = 1 + UserName.MAX_LENGTH;

    private RoomName() {
    }

    public static boolean isValid(String text) {
        return text != null && text.length() >= 2 && text.charAt(0) == '#' && UserName.isValid(text.substring(1));
    }

    /** The key two room names share when they are one room; null if {@code text} names no room. */
    public static String canonical(String text) {
        return isValid(text) ? "#" + UserName.canonical(text.substring(1)) : null;
    }
}
