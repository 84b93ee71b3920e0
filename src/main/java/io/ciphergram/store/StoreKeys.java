package io.ciphergram.store;

/**
 * The one form under which a store keys a name or a room: ASCII lower case, as
 * {@code io.ciphergram.session.UserName#canonical} (the store may not depend on the session package; the
 * caller has already checked that the name is valid).
 */
final class StoreKeys {

    private StoreKeys() {
    }

    static String canonical(String nameOrRoom) {
        char[] chars = nameOrRoom.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    /** The newest {@code max} of {@code count} items, as the index of the first of them. */
    static int newestFrom(int count, int max) {
        return Math.max(0, count - Math.max(0, max));
    }
}
