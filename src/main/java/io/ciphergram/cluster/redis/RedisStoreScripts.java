package io.ciphergram.cluster.redis;

/**
 * The Lua scripts with which {@link RedisStore} changes the shared store: each runs atomically in Redis, so
 * that two instances binding one free name end with one owner, and a deposit checks the binding and the
 * mailbox's room in the same step as it adds. Keys are made inside the scripts from the prefix (ARGV[1]),
 * as in {@link RedisScripts} (one Redis, or a primary with replicas: not Redis Cluster).
 *
 * <pre>
 * PREFIX name:KEY      hash: name (first spelling), identity (32 bytes), bound, used (epoch ms),
 *                      prekey (the signed prekey's bytes), pkid (its key id)
 * PREFIX names         sorted set: KEY by its binding's last use (expiry, count)
 * PREFIX lex           sorted set: KEY, score 0 (the admin list, in byte order)
 * PREFIX mbox:KEY      list, oldest first: "SEQ:STORED:SENDERLENGTH:" SENDER ENVELOPE (sealed bytes)
 * PREFIX seq           counter: the last mailbox sequence given (never repeats)
 * PREFIX hist:ROOM     list, oldest first: "ID:TIME:FROMLENGTH:" FROM TEXT (ID zero-padded to 20 digits)
 * PREFIX last          hash: ROOM to the greatest id appended (kept when the lines go)
 * PREFIX rooms         set of rooms whose list exists
 * </pre>
 *
 * KEY and ROOM are canonical (ASCII lower case). Numbers in entries are decimal; times are epoch
 * milliseconds, exact in Lua's doubles.
 */
final class RedisStoreScripts {

    private RedisStoreScripts() {
    }

    /** Helpers: an entry's two leading numbers; dropping entries older than a cut-off from a list's head or all of it. */
    private static final String ENTRIES = """
            local function head(e)
              local a, b = string.match(e, '^(%d+):(%d+):')
              return tonumber(a), tonumber(b)
            end
            local function trim(list, cutoff)
              while true do
                local e = redis.call('LINDEX', list, 0)
                if not e then return end
                local _, at = head(e)
                if at >= cutoff then return end
                redis.call('LPOP', list)
              end
            end
            local function filter(list, cutoff)
              local all = redis.call('LRANGE', list, 0, -1)
              local kept = {}
              for _, e in ipairs(all) do
                local _, at = head(e)
                if at >= cutoff then table.insert(kept, e) end
              end
              local dropped = #all - #kept
              if dropped > 0 then
                redis.call('DEL', list)
                for i = 1, #kept, 1000 do
                  redis.call('RPUSH', list, unpack(kept, i, math.min(i + 999, #kept)))
                end
              end
              return dropped
            end
            local function forget(p, key)
              redis.call('DEL', p .. 'name:' .. key, p .. 'mbox:' .. key)
              redis.call('ZREM', p .. 'names', key)
              redis.call('ZREM', p .. 'lex', key)
            end
            """;

    static final String BINDING_FIELDS = "'name', 'identity', 'bound', 'used', 'prekey'";

    /** ARGV: prefix, key, name, identity, now, live cutoff. Returns the binding that holds (HMGET fields). */
    static final String BIND = ENTRIES + """
            local p, key, now, cutoff = ARGV[1], ARGV[2], ARGV[5], tonumber(ARGV[6])
            local b = p .. 'name:' .. key
            local used = redis.call('HGET', b, 'used')
            if used and tonumber(used) >= cutoff then
              if redis.call('HGET', b, 'identity') == ARGV[4] and tonumber(now) > tonumber(used) then
                redis.call('HSET', b, 'used', now)
                redis.call('ZADD', p .. 'names', now, key)
              end
            else
              forget(p, key)
              redis.call('HSET', b, 'name', ARGV[3], 'identity', ARGV[4], 'bound', now, 'used', now)
              redis.call('ZADD', p .. 'names', now, key)
              redis.call('ZADD', p .. 'lex', 0, key)
            end
            return redis.call('HMGET', b, """ + BINDING_FIELDS + ")\n";

    /** ARGV: prefix, key, identity, prekey bytes, key id, live cutoff. Returns 1 if it is the stored key now. */
    static final String PREKEY = """
            local p, key, keyId, cutoff = ARGV[1], ARGV[2], tonumber(ARGV[5]), tonumber(ARGV[6])
            local b = p .. 'name:' .. key
            local f = redis.call('HMGET', b, 'identity', 'used', 'prekey', 'pkid')
            if not f[2] or tonumber(f[2]) < cutoff or f[1] ~= ARGV[3] then return 0 end
            if f[3] == ARGV[4] then return 1 end
            if f[4] and keyId <= tonumber(f[4]) then return 0 end
            redis.call('HSET', b, 'prekey', ARGV[4], 'pkid', ARGV[5])
            return 1
            """;

    /** ARGV: prefix, live cutoff, offset, limit. Returns the page's bindings (HMGET fields each), by canonical name. */
    static final String LIST = """
            local p, cutoff, offset, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local out, skipped = {}, 0
            if limit == 0 then return out end
            for _, key in ipairs(redis.call('ZRANGE', p .. 'lex', 0, -1)) do
              local s = redis.call('ZSCORE', p .. 'names', key)
              if s and tonumber(s) >= cutoff then
                if skipped >= offset then
                  table.insert(out, redis.call('HMGET', p .. 'name:' .. key, """ + BINDING_FIELDS + """
            ))
                  if #out == limit then break end
                else
                  skipped = skipped + 1
                end
              end
            end
            return out
            """;

    /** ARGV: prefix, key, live cutoff. Returns 1 if the name was bound (live). */
    static final String RELEASE = ENTRIES + """
            local p, key = ARGV[1], ARGV[2]
            local used = redis.call('HGET', p .. 'name:' .. key, 'used')
            forget(p, key)
            if used and tonumber(used) >= tonumber(ARGV[3]) then return 1 end
            return 0
            """;

    /** ARGV: prefix, cutoff. Releases every binding used before it, with its mailbox; returns how many. */
    static final String EXPIRE_NAMES = ENTRIES + """
            local p = ARGV[1]
            local old = redis.call('ZRANGEBYSCORE', p .. 'names', '-inf', '(' .. ARGV[2])
            for _, key in ipairs(old) do forget(p, key) end
            return #old
            """;

    /** ARGV: prefix, key, sender, envelope, now, live cutoff, mail cutoff, max. Returns STORED, FULL or UNBOUND. */
    static final String DEPOSIT = ENTRIES + """
            local p, key = ARGV[1], ARGV[2]
            local s = redis.call('ZSCORE', p .. 'names', key)
            if not s or tonumber(s) < tonumber(ARGV[6]) then return 'UNBOUND' end
            local box = p .. 'mbox:' .. key
            trim(box, tonumber(ARGV[7]))
            local max = tonumber(ARGV[8])
            if max <= 0 or redis.call('LLEN', box) >= max then return 'FULL' end
            local seq = redis.call('INCR', p .. 'seq')
            redis.call('RPUSH', box, seq .. ':' .. ARGV[5] .. ':' .. #ARGV[3] .. ':' .. ARGV[3] .. ARGV[4])
            return 'STORED'
            """;

    /** ARGV: prefix, key, mail cutoff, max (positive). Returns the oldest entries within the policy. */
    static final String PEEK = ENTRIES + """
            local box = ARGV[1] .. 'mbox:' .. ARGV[2]
            trim(box, tonumber(ARGV[3]))
            return redis.call('LRANGE', box, 0, tonumber(ARGV[4]) - 1)
            """;

    /** ARGV: prefix, key, mail cutoff. Returns how many messages wait. */
    static final String COUNT = ENTRIES + """
            local box = ARGV[1] .. 'mbox:' .. ARGV[2]
            trim(box, tonumber(ARGV[3]))
            return redis.call('LLEN', box)
            """;

    /** ARGV: prefix, key, sequence. Removes the messages up to and including it. */
    static final String ACKNOWLEDGE = ENTRIES + """
            local box = ARGV[1] .. 'mbox:' .. ARGV[2]
            local upTo = tonumber(ARGV[3])
            while true do
              local e = redis.call('LINDEX', box, 0)
              if not e then return 0 end
              local seq = head(e)
              if seq > upTo then return 0 end
              redis.call('LPOP', box)
            end
            """;

    /** ARGV: prefix, cutoff. Drops older messages in every mailbox; returns how many. */
    static final String EXPIRE_MAIL = ENTRIES + """
            local p, cutoff, dropped = ARGV[1], tonumber(ARGV[2]), 0
            for _, key in ipairs(redis.call('ZRANGE', p .. 'names', 0, -1)) do
              dropped = dropped + filter(p .. 'mbox:' .. key, cutoff)
            end
            return dropped
            """;

    /** ARGV: prefix, room, id (20 digits), time, "FROMLENGTH:" FROM TEXT, max lines, age cutoff. */
    static final String APPEND = ENTRIES + """
            local p, room, id = ARGV[1], ARGV[2], ARGV[3]
            local last = redis.call('HGET', p .. 'last', room)
            if last and id <= last then return 0 end
            redis.call('HSET', p .. 'last', room, id)
            local list = p .. 'hist:' .. room
            local max = tonumber(ARGV[6])
            if max > 0 then
              redis.call('RPUSH', list, id .. ':' .. ARGV[4] .. ':' .. ARGV[5])
              redis.call('LTRIM', list, -max, -1)
            end
            trim(list, tonumber(ARGV[7]))
            if redis.call('EXISTS', list) == 1 then
              redis.call('SADD', p .. 'rooms', room)
            else
              redis.call('SREM', p .. 'rooms', room)
            end
            return 1
            """;

    /** ARGV: prefix, age cutoff. Returns the rooms whose newest line is within the policy. */
    static final String ROOMS = ENTRIES + """
            local p, cutoff, out = ARGV[1], tonumber(ARGV[2]), {}
            for _, room in ipairs(redis.call('SMEMBERS', p .. 'rooms')) do
              local e = redis.call('LINDEX', p .. 'hist:' .. room, -1)
              if e then
                local _, at = head(e)
                if at >= cutoff then table.insert(out, room) end
              end
            end
            return out
            """;

    /** ARGV: prefix, room. Returns how many lines it forgot. */
    static final String PURGE = """
            local p, room = ARGV[1], ARGV[2]
            local n = redis.call('LLEN', p .. 'hist:' .. room)
            redis.call('DEL', p .. 'hist:' .. room)
            redis.call('SREM', p .. 'rooms', room)
            return n
            """;

    /** ARGV: prefix, cutoff. Drops older lines in every room; returns how many. */
    static final String EXPIRE_LINES = ENTRIES + """
            local p, cutoff, dropped = ARGV[1], tonumber(ARGV[2]), 0
            for _, room in ipairs(redis.call('SMEMBERS', p .. 'rooms')) do
              local list = p .. 'hist:' .. room
              dropped = dropped + filter(list, cutoff)
              if redis.call('EXISTS', list) == 0 then redis.call('SREM', p .. 'rooms', room) end
            end
            return dropped
            """;
}
