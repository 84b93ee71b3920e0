package io.ciphergram.cluster.redis;

/**
 * The Lua scripts with which {@link RedisLink} changes the store: each runs atomically in Redis, so a claim
 * and its event, or the removal of a dead instance and of its claims, are one step. Keys are made inside
 * the scripts from the prefix (one Redis, or a primary with replicas: not Redis Cluster).
 *
 * <pre>
 * PREFIX instances            set of instance ids
 * PREFIX alive:ID             what the instance says of itself; expires after the ttl unless refreshed
 * PREFIX rev:ID               the instance's revision (it raises it with every change)
 * PREFIX claims:ID            hash: lower case name to name as shown, every name its sessions hold
 * PREFIX members:ID           set of lower case names: which of those are room members
 * PREFIX name:LOWER           the id of the instance holding the name
 * PREFIX room                 channel: messages for every instance
 * PREFIX to:ID                channel: messages for one instance
 * </pre>
 *
 * A name is free when no {@code name:} key holds it or the instance it names is no longer alive.
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /** Removes instance {@code id}'s names and state (Lua, used by the scripts below). */
    private static final String FORGET = """
            local function forget(p, id)
              for _, lower in ipairs(redis.call('HKEYS', p .. 'claims:' .. id)) do
                if redis.call('GET', p .. 'name:' .. lower) == id then
                  redis.call('DEL', p .. 'name:' .. lower)
                end
              end
              redis.call('DEL', p .. 'claims:' .. id, p .. 'members:' .. id, p .. 'rev:' .. id)
            end
            local function holder(p, me, lower)
              local h = redis.call('GET', p .. 'name:' .. lower)
              if h and h ~= me and redis.call('EXISTS', p .. 'alive:' .. h) == 1 then
                return h
              end
              return nil
            end
            """;

    /** ARGV: prefix, me, lower, name, revision, event. Returns '' if claimed, else the holder's id. */
    static final String CLAIM = FORGET + """
            local p, me, lower = ARGV[1], ARGV[2], ARGV[3]
            local h = holder(p, me, lower)
            if h then
              return h
            end
            redis.call('SET', p .. 'name:' .. lower, me)
            redis.call('HSET', p .. 'claims:' .. me, lower, ARGV[4])
            redis.call('SET', p .. 'rev:' .. me, ARGV[5])
            redis.call('PUBLISH', p .. 'room', ARGV[6])
            return ''
            """;

    /** ARGV: prefix, me, lower, revision, event. */
    static final String RELEASE = """
            local p, me, lower = ARGV[1], ARGV[2], ARGV[3]
            if redis.call('GET', p .. 'name:' .. lower) == me then
              redis.call('DEL', p .. 'name:' .. lower)
            end
            redis.call('HDEL', p .. 'claims:' .. me, lower)
            redis.call('SET', p .. 'rev:' .. me, ARGV[4])
            redis.call('PUBLISH', p .. 'room', ARGV[5])
            return 1
            """;

    /** ARGV: prefix, me, lower, '1' to add or '0' to remove, revision, event. */
    static final String MEMBER = """
            local p, me, lower = ARGV[1], ARGV[2], ARGV[3]
            if ARGV[4] == '1' then
              redis.call('SADD', p .. 'members:' .. me, lower)
            else
              redis.call('SREM', p .. 'members:' .. me, lower)
            end
            redis.call('SET', p .. 'rev:' .. me, ARGV[5])
            redis.call('PUBLISH', p .. 'room', ARGV[6])
            return 1
            """;

    /** ARGV: prefix, me, info, ttl in ms. Returns 1 if the liveness entry was still there, else 0. */
    static final String HEARTBEAT = """
            local p, me = ARGV[1], ARGV[2]
            local existed = redis.call('EXISTS', p .. 'alive:' .. me)
            redis.call('SET', p .. 'alive:' .. me, ARGV[3], 'PX', ARGV[4])
            redis.call('SADD', p .. 'instances', me)
            return existed
            """;

    /**
     * ARGV: prefix, me, info, ttl in ms, revision, hello, number of claims N, then N pairs (lower, name),
     * then the lower case names of the members. Returns the refused claims as pairs (lower, holder).
     */
    static final String ANNOUNCE = FORGET + """
            local p, me = ARGV[1], ARGV[2]
            redis.call('SET', p .. 'alive:' .. me, ARGV[3], 'PX', ARGV[4])
            redis.call('SADD', p .. 'instances', me)
            forget(p, me)
            local refused, mine = {}, {}
            local i = 8
            for _ = 1, tonumber(ARGV[7]) do
              local lower, name = ARGV[i], ARGV[i + 1]
              i = i + 2
              local h = holder(p, me, lower)
              if h then
                table.insert(refused, lower)
                table.insert(refused, h)
              else
                redis.call('SET', p .. 'name:' .. lower, me)
                redis.call('HSET', p .. 'claims:' .. me, lower, name)
                mine[lower] = true
              end
            end
            while i <= #ARGV do
              if mine[ARGV[i]] then
                redis.call('SADD', p .. 'members:' .. me, ARGV[i])
              end
              i = i + 1
            end
            redis.call('SET', p .. 'rev:' .. me, ARGV[5])
            redis.call('PUBLISH', p .. 'room', ARGV[6])
            return refused
            """;

    /**
     * ARGV: prefix. Returns, per live instance, {id, revision, info, claims as pairs, members}; removes
     * the instances whose liveness entry expired, and frees their names.
     */
    static final String SNAPSHOT = FORGET + """
            local p = ARGV[1]
            local out = {}
            for _, id in ipairs(redis.call('SMEMBERS', p .. 'instances')) do
              local info = redis.call('GET', p .. 'alive:' .. id)
              if info then
                table.insert(out, {id, redis.call('GET', p .. 'rev:' .. id) or '0', info,
                  redis.call('HGETALL', p .. 'claims:' .. id), redis.call('SMEMBERS', p .. 'members:' .. id)})
              else
                forget(p, id)
                redis.call('SREM', p .. 'instances', id)
              end
            end
            return out
            """;

    /** ARGV: prefix, me, bye. */
    static final String LEAVE = FORGET + """
            local p, me = ARGV[1], ARGV[2]
            forget(p, me)
            redis.call('DEL', p .. 'alive:' .. me)
            redis.call('SREM', p .. 'instances', me)
            redis.call('PUBLISH', p .. 'room', ARGV[3])
            return 1
            """;
}
