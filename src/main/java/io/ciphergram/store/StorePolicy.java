package io.ciphergram.store;

import java.time.Duration;

/**
 * How much the store keeps, each from a {@code ciphergram.*} setting.
 *
 * @param historyLines lines kept per room ({@code ciphergram.history.max-lines}, 100; 0 keeps none)
 * @param historyAge lines older than this are dropped ({@code ciphergram.history.max-age}, 24 h)
 * @param mailboxMessages messages kept per recipient ({@code ciphergram.mailbox.max-messages}, 1,000)
 * @param mailboxAge messages older than this are dropped ({@code ciphergram.mailbox.max-age}, 7 days)
 * @param bindingsUnusedFor bindings not used for this long are released ({@code ciphergram.names.expire-after},
 *        90 days)
 */
public record StorePolicy(int historyLines, Duration historyAge, int mailboxMessages, Duration mailboxAge,
        Duration bindingsUnusedFor) {

    public static StorePolicy defaults() {
        return new StorePolicy(100, Duration.ofHours(24), 1_000, Duration.ofDays(7), Duration.ofDays(90));
    }
}
