/*
 * What each key argument of a command needs from ACL key patterns: read
 * (the command accesses the value), write (it inserts, deletes or updates),
 * both, or neither (existence and metadata checks pass with any pattern).
 * This is interface data: the access flags Redis 7.2 documents for every
 * command's key specifications (COMMAND INFO), one code per key spec:
 *   r = read, w = write, rw = both, - = neither, n = not a key (shard channels).
 * The i-th key a command names uses spec min(i, specs - 1) (SORT's BY/GET
 * patterns are checked by SORT itself, so it keeps its key and STORE specs).
 */

const TABLE: [string, string][] = [
  ['-', 'exists hexists hlen hstrlen llen memory|usage object|encoding object|freq object|idletime object|refcount scard sismember strlen touch type watch xlen zcard'],
  ['n', 'spublish ssubscribe sunsubscribe'],
  ['r', 'bitcount bitfield_ro bitpos dump eval_ro evalsha_ro expiretime fcall_ro geodist geohash geopos georadius_ro georadiusbymember_ro geosearch get getbit getrange hget hgetall hkeys hmget hrandfield hscan hvals lcs lindex lpos lrange mget pexpiretime pfcount pfdebug pttl sdiff sinter sintercard smembers smismember sort_ro srandmember sscan substr sunion ttl xinfo|consumers xinfo|groups xinfo|stream xpending xrange xread xreadgroup xrevrange zcount zdiff zinter zintercard zlexcount zmscore zrandmember zrange zrangebylex zrangebyscore zrank zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion'],
  ['r w', 'copy sort'],
  ['r w w', 'georadius georadiusbymember'],
  ['rw', 'bitfield blmpop blpop brpop bzmpop bzpopmax bzpopmin decr decrby eval evalsha fcall getdel getex getset hincrby hincrbyfloat incr incrby incrbyfloat lmpop lpop move rpop set setbit spop zincrby zmpop zpopmax zpopmin'],
  ['rw r', 'pfmerge'],
  ['rw rw', 'migrate'],
  ['rw w', 'blmove brpoplpush lmove rename renamenx rpoplpush smove'],
  ['w', 'append del expire expireat geoadd hdel hmset hset hsetnx linsert lpush lpushx lrem lset ltrim mset msetnx persist pexpire pexpireat pfadd psetex restore restore-asking rpush rpushx sadd setex setnx setrange srem unlink xack xadd xautoclaim xclaim xdel xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|setid xsetid xtrim zadd zrem zremrangebylex zremrangebyrank zremrangebyscore'],
  ['w r', 'bitop geosearchstore sdiffstore sinterstore sunionstore zdiffstore zinterstore zrangestore zunionstore'],
];

export const KEY_SPECS = new Map<string, string[]>();
for (const [enc, names] of TABLE) for (const n of names.split(' ')) KEY_SPECS.set(n, enc.split(' '));
