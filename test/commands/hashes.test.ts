import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, sleep, type RunningServer } from '../helpers';

// RESP builders for expected replies.
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | string): string => `:${n}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const bulks = (...items: string[]): string => arr(...items.map(bulk));
const ints = (...items: number[]): string => arr(...items.map(int));
const err = (s: string): string => `-${s}\r\n`;
const NIL = '$-1\r\n';
const OK = '+OK\r\n';
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

/** Parse a flat RESP2 array of bulk strings (no nesting) into strings. */
function parseBulks(raw: string): string[] {
  const lines = raw.split('\r\n');
  const out: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) out.push(lines[i + 1]);
  return out;
}

/** Parse an HSCAN/SSCAN reply into [cursor, items]. */
function parseScan(raw: string): [string, string[]] {
  const lines = raw.split('\r\n');
  const cursor = lines[2];
  const n = Number(lines[3].slice(1));
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(lines[5 + i * 2]);
  return [cursor, items];
}

describe('hashes', () => {
  let srv: RunningServer;
  let c: RawClient;

  before(async () => {
    srv = await startNodis({ manualClock: true });
    c = await RawClient.connect(srv.port);
  });

  after(async () => {
    c.close();
    await srv.close();
  });

  test('HSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HLEN, HEXISTS, HSTRLEN', async () => {
    assert.equal(await c.call('HSET', 'h1', 'a', '1', 'b', '22'), int(2));
    assert.equal(await c.call('HSET', 'h1', 'a', '9', 'c', '333'), int(1));
    assert.equal(await c.call('HMSET', 'h1', 'd', '4'), OK);
    assert.equal(await c.call('HGET', 'h1', 'a'), bulk('9'));
    assert.equal(await c.call('HGET', 'h1', 'zz'), NIL);
    assert.equal(await c.call('HGET', 'nokey', 'a'), NIL);
    assert.equal(await c.call('HMGET', 'h1', 'a', 'zz', 'c'), arr(bulk('9'), NIL, bulk('333')));
    assert.equal(await c.call('HMGET', 'nokey', 'a', 'b'), arr(NIL, NIL));
    // Small hashes keep insertion order, updates stay in place (as a listpack).
    assert.equal(await c.call('HGETALL', 'h1'), bulks('a', '9', 'b', '22', 'c', '333', 'd', '4'));
    assert.equal(await c.call('HKEYS', 'h1'), bulks('a', 'b', 'c', 'd'));
    assert.equal(await c.call('HVALS', 'h1'), bulks('9', '22', '333', '4'));
    assert.equal(await c.call('HGETALL', 'nokey'), '*0\r\n');
    assert.equal(await c.call('HLEN', 'h1'), int(4));
    assert.equal(await c.call('HLEN', 'nokey'), int(0));
    assert.equal(await c.call('HEXISTS', 'h1', 'b'), int(1));
    assert.equal(await c.call('HEXISTS', 'h1', 'x'), int(0));
    assert.equal(await c.call('HSTRLEN', 'h1', 'c'), int(3));
    assert.equal(await c.call('HSTRLEN', 'h1', 'x'), int(0));
    assert.equal(await c.call('HSTRLEN', 'nokey', 'x'), int(0));
    // Binary-safe fields and values.
    const bin = '\x00\xff\r\n';
    assert.equal(await c.call('HSET', 'hbin', bin, bin), int(1));
    assert.equal(await c.call('HGET', 'hbin', bin), bulk(bin));
  });

  test('HSETNX and HDEL (the last field deletes the key)', async () => {
    assert.equal(await c.call('HSETNX', 'h2', 'a', '1'), int(1));
    assert.equal(await c.call('HSETNX', 'h2', 'a', '2'), int(0));
    assert.equal(await c.call('HGET', 'h2', 'a'), bulk('1'));
    assert.equal(await c.call('HSET', 'h2', 'b', '2', 'c', '3'), int(2));
    assert.equal(await c.call('HDEL', 'h2', 'x', 'y'), int(0));
    assert.equal(await c.call('HDEL', 'h2', 'a', 'c', 'f'), int(2));
    assert.equal(await c.call('HDEL', 'nokey', 'a'), int(0));
    assert.equal(await c.call('HDEL', 'h2', 'b', 'zz'), int(1));
    assert.equal(await c.call('EXISTS', 'h2'), int(0));
  });

  test('HINCRBY and HINCRBYFLOAT', async () => {
    assert.equal(await c.call('HINCRBY', 'hc', 'n', '5'), int(5));
    assert.equal(await c.call('HINCRBY', 'hc', 'n', '-7'), int(-2));
    assert.equal(await c.call('HSET', 'hc', 'big', '17179869184'), int(1));
    assert.equal(await c.call('HINCRBY', 'hc', 'big', '17179869184'), int('34359738368'));
    assert.equal(await c.call('HSET', 'hc', 'max', '9223372036854775806'), int(1));
    assert.equal(await c.call('HINCRBY', 'hc', 'max', '1'), int('9223372036854775807'));
    assert.equal(await c.call('HINCRBY', 'hc', 'max', '1'), err('ERR increment or decrement would overflow'));
    assert.equal(await c.call('HSET', 'hc', 'sp', ' 11'), int(1));
    assert.equal(await c.call('HINCRBY', 'hc', 'sp', '1'), err('ERR hash value is not an integer'));
    assert.equal(await c.call('HINCRBY', 'hc', 'n', 'x'), err('ERR value is not an integer or out of range'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'f', '1.23'), bulk('1.23'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'f', '0.77'), bulk('2'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'f', '-0.1'), bulk('1.9'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'f', '5.0e3'), bulk('5001.89999999999999991')); // 80-bit long double, as Redis
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'sp', '1'), err('ERR hash value is not a float'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'f', 'abc'), err('ERR value is not a valid float'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hnew', 'f', '+inf'), err('ERR value is NaN or Infinity'));
    assert.equal(await c.call('EXISTS', 'hnew'), int(0));
    assert.equal(await c.call('HSET', 'hc', 'huge', '1e4932'), int(1));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'huge', '1e4932'), err('ERR increment would produce NaN or Infinity'));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'x', '1e5000'), err('ERR value is not a valid float'));
    assert.equal(await c.call('HSET', 'hc', 'over', '1e5000'), int(1));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'over', '1'), err('ERR hash value is not a float'));
    assert.equal(await c.call('HSET', 'hc', 'nul', '1\x002'), int(1));
    assert.equal(await c.call('HINCRBYFLOAT', 'hc', 'nul', '1'), err('ERR hash value is not a float'));
  });

  test('HINCRBYFLOAT is propagated as HSET with the final value', async () => {
    const seen: string[][] = [];
    const hook = (_db: number, args: string[]): void => {
      seen.push(args);
    };
    srv.server.propagateHooks.push(hook);
    try {
      await c.call('HINCRBYFLOAT', 'hp', 'f', '1.5');
      await c.call('HINCRBYFLOAT', 'hp', 'f', '1');
    } finally {
      srv.server.propagateHooks.splice(srv.server.propagateHooks.indexOf(hook), 1);
    }
    assert.deepEqual(seen, [['HSET', 'hp', 'f', '1.5'], ['HSET', 'hp', 'f', '2.5']]);
  });

  test('OBJECT ENCODING follows hash-max-listpack-entries/value, one way', async () => {
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '8');
    try {
      await c.call('HSET', 'he', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'he'), bulk('listpack'));
      await c.call('HSET', 'he', 'e', '5');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'he'), bulk('hashtable'));
      await c.call('HDEL', 'he', 'a', 'b', 'c', 'd');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'he'), bulk('hashtable'));
      // A long value or field converts.
      await c.call('HSET', 'hv', 'a', '12345678');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hv'), bulk('listpack'));
      await c.call('HSET', 'hv', 'a', '123456789');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hv'), bulk('hashtable'));
      // HINCRBYFLOAT checks the resulting value.
      await c.call('HINCRBYFLOAT', 'hf1', 'tmp', '0.000005');
      await c.call('HINCRBYFLOAT', 'hf2', 'tmp', '0.0000005');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hf1'), bulk('listpack'));
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hf2'), bulk('hashtable'));
      // More pairs in one HSET than a listpack holds converts up front (Redis 7.2).
      await c.call('HSET', 'hd', 'x', '1', 'x', '2', 'x', '3', 'x', '4', 'x', '5');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hd'), bulk('hashtable'));
    } finally {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
    }
  });

  test('HRANDFIELD', async () => {
    await c.call('DEL', 'hr');
    await c.call('HSET', 'hr', 'a', '1', 'b', '2', 'c', '3');
    const one = await c.call('HRANDFIELD', 'hr');
    assert.ok([bulk('a'), bulk('b'), bulk('c')].includes(one));
    assert.equal(await c.call('HRANDFIELD', 'hr', '0'), '*0\r\n');
    assert.equal(await c.call('HRANDFIELD', 'nokey', '5'), '*0\r\n');
    assert.equal(await c.call('HRANDFIELD', 'nokey'), NIL);
    // Whole hash in order when count >= size.
    assert.equal(await c.call('HRANDFIELD', 'hr', '10'), bulks('a', 'b', 'c'));
    assert.equal(await c.call('HRANDFIELD', 'hr', '10', 'WITHVALUES'), bulks('a', '1', 'b', '2', 'c', '3'));
    // Unique subset.
    const two = parseBulks(await c.call('HRANDFIELD', 'hr', '2'));
    assert.equal(new Set(two).size, 2);
    // Negative counts repeat.
    const many = parseBulks(await c.call('HRANDFIELD', 'hr', '-50'));
    assert.equal(many.length, 50);
    assert.ok(many.every((f) => ['a', 'b', 'c'].includes(f)));
    const pairs = parseBulks(await c.call('HRANDFIELD', 'hr', '-7', 'WITHVALUES'));
    assert.equal(pairs.length, 14);
    for (let i = 0; i < pairs.length; i += 2) assert.equal(pairs[i + 1], String(pairs[i].charCodeAt(0) - 96));
    // Errors.
    assert.equal(await c.call('HRANDFIELD', 'hr', 'x'), err('ERR value is not an integer or out of range'));
    assert.equal(await c.call('HRANDFIELD', 'hr', '1', 'foo'), err('ERR syntax error'));
    assert.equal(await c.call('HRANDFIELD', 'hr', '1', 'WITHVALUES', 'x'), err('ERR syntax error'));
    assert.equal(await c.call('HRANDFIELD', 'hr', '-9223372036854775808'), err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
    assert.equal(await c.call('HRANDFIELD', 'hr', '-9223372036854770000', 'WITHVALUES'), err('ERR value is out of range'));
  });

  test('RESP3: HGETALL is a map, HRANDFIELD WITHVALUES gives pairs', async () => {
    const c3 = await RawClient.connect(srv.port);
    await c3.call('HELLO', '3');
    await c3.call('DEL', 'h3');
    await c3.call('HSET', 'h3', 'a', '1', 'b', '2');
    assert.equal(await c3.call('HGETALL', 'h3'), '%2\r\n' + bulk('a') + bulk('1') + bulk('b') + bulk('2'));
    assert.equal(await c3.call('HGETALL', 'nokey'), '%0\r\n');
    assert.equal(await c3.call('HRANDFIELD', 'h3', '5', 'WITHVALUES'), arr(bulks('a', '1'), bulks('b', '2')));
    assert.equal(await c3.call('HRANDFIELD', 'h3', '-1', 'WITHVALUES').then((r) => r.startsWith('*1\r\n*2\r\n')), true);
    assert.equal(await c3.call('HRANDFIELD', 'h3', '2'), bulks('a', 'b'));
    assert.equal(await c3.call('HGET', 'h3', 'zz'), '_\r\n');
    c3.close();
  });

  test('HSCAN: small hashes in one call, big ones by cursor', async () => {
    await c.call('DEL', 'hs');
    await c.call('HSET', 'hs', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(await c.call('HSCAN', 'hs', '0', 'COUNT', '1'), arr(bulk('0'), bulks('a', '1', 'b', '2', 'c', '3')));
    assert.equal(await c.call('HSCAN', 'hs', '0', 'MATCH', 'b*'), arr(bulk('0'), bulks('b', '2')));
    assert.equal(await c.call('HSCAN', 'hs', '0', 'NOVALUES'), arr(bulk('0'), bulks('a', 'b', 'c')));
    assert.equal(await c.call('HSCAN', 'nokey', '0'), arr(bulk('0'), '*0\r\n'));
    assert.equal(await c.call('HSCAN', 'hs', 'x'), err('ERR invalid cursor'));
    assert.equal(await c.call('HSCAN', 'hs', '0', 'COUNT', '0'), err('ERR syntax error'));
    assert.equal(await c.call('HSCAN', 'hs', '0', 'FOO'), err('ERR syntax error'));
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    await c.call('HSET', 'hbig', ...args);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'hbig'), bulk('hashtable'));
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = parseScan(await c.call('HSCAN', 'hbig', cursor, 'COUNT', '100'));
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.ok(calls > 5);
    assert.equal(seen.size, 1000);
    assert.equal(seen.get('f123'), 'v123');
  });

  test('wrong type, arity and syntax errors', async () => {
    await c.call('SET', 'str', 'x');
    for (const cmd of [
      ['HGET', 'str', 'a'], ['HSET', 'str', 'a', '1'], ['HSETNX', 'str', 'a', '1'], ['HMSET', 'str', 'a', '1'], ['HMGET', 'str', 'a'],
      ['HDEL', 'str', 'a'], ['HLEN', 'str'], ['HEXISTS', 'str', 'a'], ['HSTRLEN', 'str', 'a'], ['HKEYS', 'str'], ['HVALS', 'str'],
      ['HGETALL', 'str'], ['HINCRBY', 'str', 'a', '1'], ['HINCRBYFLOAT', 'str', 'a', '1'], ['HRANDFIELD', 'str'], ['HRANDFIELD', 'str', '2'],
      ['HSCAN', 'str', '0'], ['HEXPIRE', 'str', '10', 'FIELDS', '1', 'a'], ['HTTL', 'str', 'FIELDS', '1', 'a'], ['HPERSIST', 'str', 'FIELDS', '1', 'a'],
    ]) {
      assert.equal(await c.call(...cmd), WRONGTYPE, cmd.join(' '));
    }
    assert.equal(await c.call('HSET', 'h', 'a'), err("ERR wrong number of arguments for 'hset' command"));
    assert.equal(await c.call('HSET', 'h', 'a', '1', 'b'), err("ERR wrong number of arguments for 'hset' command"));
    assert.equal(await c.call('HMSET', 'h', 'a', '1', 'b'), err("ERR wrong number of arguments for 'hmset' command"));
    assert.equal(await c.call('HGET', 'h'), err("ERR wrong number of arguments for 'hget' command"));
    assert.equal(await c.call('HDEL', 'h'), err("ERR wrong number of arguments for 'hdel' command"));
    assert.equal(await c.call('HINCRBY', 'h', 'a'), err("ERR wrong number of arguments for 'hincrby' command"));
    assert.equal(await c.call('HSCAN', 'h'), err("ERR wrong number of arguments for 'hscan' command"));
    assert.equal(await c.call('HEXPIRE', 'h', '1', 'FIELDS', '1'), err("ERR wrong number of arguments for 'hexpire' command"));
    assert.equal(await c.call('HTTL', 'h', 'FIELDS', '1'), err("ERR wrong number of arguments for 'httl' command"));
  });

  test('keyspace events', async () => {
    const events: string[] = [];
    const hook = (_cls: number, event: string, key: string): void => {
      events.push(`${event}:${key}`);
    };
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    srv.server.notifyHooks.push(hook);
    try {
      await c.call('HSET', 'ev', 'a', '1', 'b', '2');
      await c.call('HSETNX', 'ev', 'a', '1');
      await c.call('HSETNX', 'ev', 'c', '1');
      await c.call('HDEL', 'ev', 'zz');
      await c.call('HINCRBY', 'ev', 'n', '1');
      await c.call('HINCRBYFLOAT', 'ev', 'f', '1');
      await c.call('HEXPIRE', 'ev', '100', 'FIELDS', '1', 'a');
      await c.call('HPERSIST', 'ev', 'FIELDS', '1', 'a');
      await c.call('HDEL', 'ev', 'a', 'b', 'c', 'n', 'f');
    } finally {
      srv.server.notifyHooks.splice(srv.server.notifyHooks.indexOf(hook), 1);
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
    assert.deepEqual(events, ['hset:ev', 'hset:ev', 'hincrby:ev', 'hincrbyfloat:ev', 'hexpire:ev', 'hpersist:ev', 'hdel:ev', 'del:ev']);
  });
});

describe('hash field expiry (Redis 7.4)', () => {
  let srv: RunningServer;
  let c: RawClient;

  before(async () => {
    srv = await startNodis({ manualClock: true });
    c = await RawClient.connect(srv.port);
  });

  after(async () => {
    c.close();
    await srv.close();
  });

  test('HEXPIRE reply codes, conditions and the TTL readers', async () => {
    const now = srv.clock.now();
    await c.call('HSET', 'fe', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(await c.call('HEXPIRE', 'fe', '100', 'FIELDS', '2', 'a', 'zz'), ints(1, -2));
    assert.equal(await c.call('HEXPIRE', 'nokey', '100', 'FIELDS', '2', 'a', 'b'), ints(-2, -2));
    assert.equal(await c.call('OBJECT', 'ENCODING', 'fe'), bulk('listpackex'));
    assert.equal(await c.call('HTTL', 'fe', 'FIELDS', '3', 'a', 'b', 'zz'), ints(100, -1, -2));
    assert.equal(await c.call('HPTTL', 'fe', 'FIELDS', '1', 'a'), ints(100000));
    assert.equal(await c.call('HPEXPIRETIME', 'fe', 'FIELDS', '1', 'a'), ints(now + 100000));
    assert.equal(await c.call('HEXPIRETIME', 'fe', 'FIELDS', '1', 'a'), ints(Math.floor((now + 100000 + 999) / 1000)));
    assert.equal(await c.call('HTTL', 'nokey', 'FIELDS', '1', 'a'), ints(-2));
    // NX / XX / GT / LT against fields with and without a TTL.
    assert.equal(await c.call('HEXPIRE', 'fe', '50', 'NX', 'FIELDS', '2', 'a', 'b'), ints(0, 1));
    assert.equal(await c.call('HEXPIRE', 'fe', '200', 'XX', 'FIELDS', '2', 'a', 'c'), ints(1, 0));
    assert.equal(await c.call('HEXPIRE', 'fe', '100', 'GT', 'FIELDS', '2', 'a', 'c'), ints(0, 0));
    assert.equal(await c.call('HEXPIRE', 'fe', '300', 'GT', 'FIELDS', '1', 'a'), ints(1));
    assert.equal(await c.call('HEXPIRE', 'fe', '20', 'LT', 'FIELDS', '2', 'a', 'c'), ints(1, 1));
    assert.equal(await c.call('HPEXPIRE', 'fe', '30000', 'LT', 'FIELDS', '1', 'a'), ints(0));
    assert.equal(await c.call('HTTL', 'fe', 'FIELDS', '3', 'a', 'b', 'c'), ints(20, 50, 20));
    // HPERSIST.
    assert.equal(await c.call('HPERSIST', 'fe', 'FIELDS', '3', 'a', 'zz', 'a'), ints(1, -2, -1));
    assert.equal(await c.call('HPERSIST', 'nokey', 'FIELDS', '1', 'a'), ints(-2));
    // Absolute forms.
    const at = Math.floor(now / 1000) + 1000;
    assert.equal(await c.call('HEXPIREAT', 'fe', String(at), 'FIELDS', '1', 'a'), ints(1));
    assert.equal(await c.call('HEXPIRETIME', 'fe', 'FIELDS', '1', 'a'), ints(at));
    assert.equal(await c.call('HPEXPIREAT', 'fe', String(now + 5000), 'FIELDS', '1', 'a'), ints(1));
    assert.equal(await c.call('HPTTL', 'fe', 'FIELDS', '1', 'a'), ints(5000));
    // HSET drops a field's TTL, HINCRBY keeps it.
    await c.call('HSET', 'fe', 'a', '5');
    assert.equal(await c.call('HTTL', 'fe', 'FIELDS', '1', 'a'), ints(-1));
    await c.call('HINCRBY', 'fe', 'b', '1');
    assert.equal(await c.call('HTTL', 'fe', 'FIELDS', '1', 'b'), ints(50));
  });

  test('a time in the past deletes the fields (reply 2) and the emptied key', async () => {
    await c.call('HSET', 'fp', 'a', '1', 'b', '2');
    assert.equal(await c.call('HEXPIRE', 'fp', '0', 'FIELDS', '2', 'a', 'zz'), ints(2, -2));
    assert.equal(await c.call('HGETALL', 'fp'), bulks('b', '2'));
    assert.equal(await c.call('HPEXPIREAT', 'fp', '1', 'FIELDS', '1', 'b'), ints(2));
    assert.equal(await c.call('EXISTS', 'fp'), int(0));
  });

  test('fields expire lazily on access, and the last one deletes the key', async () => {
    const events: string[] = [];
    const props: string[][] = [];
    const nh = (_cls: number, event: string, key: string): void => {
      events.push(`${event}:${key}`);
    };
    const ph = (_db: number, args: string[]): void => {
      props.push(args);
    };
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    srv.server.notifyHooks.push(nh);
    srv.server.propagateHooks.push(ph);
    srv.server.activeExpireEnabled = false;
    try {
      await c.call('HSET', 'fl', 'a', '1', 'b', '2', 'c', '3');
      assert.equal(await c.call('HPEXPIRE', 'fl', '1000', 'FIELDS', '2', 'a', 'b'), ints(1, 1));
      srv.clock.advance(999);
      assert.equal(await c.call('HGET', 'fl', 'a'), bulk('1'));
      srv.clock.advance(1);
      // Reading one field deletes that field only; HLEN still counts the other due one.
      assert.equal(await c.call('HGET', 'fl', 'a'), NIL);
      assert.equal(await c.call('HLEN', 'fl'), int(2));
      // Walking the hash skips due fields without deleting them.
      assert.equal(await c.call('HGETALL', 'fl'), bulks('c', '3'));
      assert.equal(await c.call('HKEYS', 'fl'), bulks('c'));
      assert.equal(await c.call('HSCAN', 'fl', '0'), arr(bulk('0'), bulks('c', '3')));
      assert.equal(await c.call('HTTL', 'fl', 'FIELDS', '1', 'b'), ints(-2));
      assert.equal(await c.call('HEXISTS', 'fl', 'b'), int(0));
      assert.equal(await c.call('HLEN', 'fl'), int(1));
      assert.equal(await c.call('HPEXPIRE', 'fl', '10', 'FIELDS', '1', 'c'), ints(1));
      srv.clock.advance(10);
      assert.equal(await c.call('EXISTS', 'fl'), int(1));
      assert.equal(await c.call('HLEN', 'fl'), int(1));
      assert.equal(await c.call('HSTRLEN', 'fl', 'c'), int(0));
      assert.equal(await c.call('EXISTS', 'fl'), int(0));
      // HINCRBY on a due field starts from 0 (and keeps the TTL of nothing: a new field).
      await c.call('HSET', 'fi', 'n', '10', 'm', '1');
      await c.call('HPEXPIRE', 'fi', '5', 'FIELDS', '1', 'n');
      srv.clock.advance(5);
      assert.equal(await c.call('HINCRBY', 'fi', 'n', '1'), int(1));
      assert.equal(await c.call('HTTL', 'fi', 'FIELDS', '1', 'n'), ints(-1));
      // HRANDFIELD deletes every due field first.
      await c.call('HSET', 'fr', 'a', '1', 'b', '2');
      await c.call('HPEXPIRE', 'fr', '5', 'FIELDS', '2', 'a', 'b');
      srv.clock.advance(5);
      assert.equal(await c.call('HRANDFIELD', 'fr', '5'), '*0\r\n');
      assert.equal(await c.call('EXISTS', 'fr'), int(0));
    } finally {
      srv.server.activeExpireEnabled = true;
      srv.server.notifyHooks.splice(srv.server.notifyHooks.indexOf(nh), 1);
      srv.server.propagateHooks.splice(srv.server.propagateHooks.indexOf(ph), 1);
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
    assert.deepEqual(events.filter((e) => e.endsWith(':fl')), ['hset:fl', 'hexpire:fl', 'hexpired:fl', 'hexpired:fl', 'hexpire:fl', 'hexpired:fl', 'del:fl']);
    assert.deepEqual(events.filter((e) => e.endsWith(':fr')), ['hset:fr', 'hexpire:fr', 'hexpired:fr', 'del:fr']);
    const t = srv.clock.now() - 10;
    assert.deepEqual(props.filter((p) => p[1] === 'fl'), [
      ['HSET', 'fl', 'a', '1', 'b', '2', 'c', '3'],
      ['HPEXPIREAT', 'fl', String(t - 10), 'FIELDS', '2', 'a', 'b'],
      ['HDEL', 'fl', 'a'],
      ['HDEL', 'fl', 'b'],
      ['HPEXPIREAT', 'fl', String(t), 'FIELDS', '1', 'c'],
      ['HDEL', 'fl', 'c'],
    ]);
  });

  test('the cron removes due fields actively', async () => {
    const events: string[] = [];
    const nh = (_cls: number, event: string, key: string): void => {
      events.push(`${event}:${key}`);
    };
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    srv.server.notifyHooks.push(nh);
    try {
      await c.call('HSET', 'fa', 'a', '1', 'b', '2');
      await c.call('HSET', 'fb', 'a', '1');
      assert.equal(await c.call('HEXPIRE', 'fa', '1', 'FIELDS', '1', 'a'), ints(1));
      assert.equal(await c.call('HEXPIRE', 'fb', '1', 'FIELDS', '1', 'a'), ints(1));
      // Renamed hashes keep being swept, and so do swapped databases.
      assert.equal(await c.call('RENAME', 'fb', 'fc'), OK);
      await c.call('SELECT', '9');
      await c.call('HSET', 'fs', 'a', '1');
      assert.equal(await c.call('HEXPIRE', 'fs', '1', 'FIELDS', '1', 'a'), ints(1));
      assert.equal(await c.call('SWAPDB', '9', '10'), OK);
      await c.call('SELECT', '0');
      srv.clock.advance(1000);
      for (let i = 0; i < 50 && (srv.server.dbs[0].dict.has('fc') || srv.server.dbs[10].dict.has('fs')); i++) await sleep(20);
      assert.equal(srv.server.dbs[10].dict.has('fs'), false);
    } finally {
      srv.server.notifyHooks.splice(srv.server.notifyHooks.indexOf(nh), 1);
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
    assert.equal(srv.server.dbs[0].dict.has('fc'), false);
    const fa = srv.server.dbs[0].dict.get('fa') as unknown as { size(): number };
    assert.equal(fa.size(), 1);
    assert.ok(events.includes('hexpired:fa'));
    assert.ok(events.includes('hexpired:fc'));
    assert.ok(events.includes('del:fc'));
  });

  test('errors are the 7.4 texts', async () => {
    await c.call('HSET', 'fx', 'a', '1');
    assert.equal(await c.call('HEXPIRE', 'fx', 'abc', 'FIELDS', '1', 'a'), err('ERR value is not an integer or out of range'));
    assert.equal(await c.call('HEXPIRE', 'fx', '-1', 'FIELDS', '1', 'a'), err('ERR invalid expire time, must be >= 0'));
    assert.equal(await c.call('HEXPIRE', 'fx', '9223372036854775807', 'FIELDS', '1', 'a'), err("ERR invalid expire time in 'hexpire' command"));
    assert.equal(await c.call('HPEXPIREAT', 'fx', '70368744177664', 'FIELDS', '1', 'a'), err("ERR invalid expire time in 'hpexpireat' command"));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'FIELD', '1', 'a'), err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'XX', 'NX', 'FIELDS', '1', 'a'), err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'FIELDS', '0', 'a'), err('ERR Parameter `numFields` should be greater than 0'));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'FIELDS', 'x', 'a'), err('ERR Parameter `numFields` should be greater than 0'));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'FIELDS', '2', 'a'), err('ERR The `numfields` parameter must match the number of arguments'));
    assert.equal(await c.call('HEXPIRE', 'fx', '10', 'FIELDS', '1', 'a', 'b'), err('ERR The `numfields` parameter must match the number of arguments'));
    assert.equal(await c.call('HTTL', 'fx', 'FIELDS', '0', 'a'), err('ERR Number of fields must be a positive integer'));
    assert.equal(await c.call('HTTL', 'fx', 'FIELDZ', '1', 'a'), err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    assert.equal(await c.call('HPERSIST', 'fx', 'FIELDS', '3', 'a'), err('ERR The `numfields` parameter must match the number of arguments'));
  });

  test('COPY and DEBUG DIGEST-VALUE see field TTLs', async () => {
    await c.call('HSET', 'fd', 'a', '1');
    await c.call('HEXPIRE', 'fd', '100', 'FIELDS', '1', 'a');
    assert.equal(await c.call('COPY', 'fd', 'fd2'), int(1));
    assert.equal(await c.call('HTTL', 'fd2', 'FIELDS', '1', 'a'), ints(100));
    const d1 = await c.call('DEBUG', 'DIGEST-VALUE', 'fd');
    assert.equal(await c.call('DEBUG', 'DIGEST-VALUE', 'fd2'), d1);
    await c.call('HPERSIST', 'fd2', 'FIELDS', '1', 'a');
    assert.notEqual(await c.call('DEBUG', 'DIGEST-VALUE', 'fd2'), d1);
  });
});

describe('hashes against the real redis-server', () => {
  test('same bytes for a command script', async (t) => {
    const oracle = await startOracle();
    if (oracle === null) {
      t.skip('redis-server not installed');
      return;
    }
    const srv = await startNodis();
    const a = await RawClient.connect(oracle.port);
    const b = await RawClient.connect(srv.port);
    try {
      const script: string[][] = [
        ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '3', 'c', '4'], ['HMSET', 'h', 'd', '5'], ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'],
        ['HMGET', 'h', 'a', 'x'], ['HSETNX', 'h', 'a', '0'], ['HDEL', 'h', 'd', 'x'], ['HLEN', 'h'], ['HSTRLEN', 'h', 'a'], ['HEXISTS', 'h', 'c'],
        ['HINCRBY', 'h', 'n', '-5'], ['HINCRBY', 'h', 'n', '9223372036854775807'], ['HINCRBY', 'h', 'n', '-9223372036854775808'], ['HINCRBY', 'h', 'a', 'x'],
        ['HINCRBYFLOAT', 'h', 'f', '2.5'], ['HINCRBYFLOAT', 'h', 'f', '-1e3'], ['HINCRBYFLOAT', 'h', 'f', 'nan'], ['HINCRBYFLOAT', 'h', 'a', 'inf'],
        ['HINCRBYFLOAT', 'h', 'g', '0.1'], ['HINCRBYFLOAT', 'h', 'g', '0.2'], ['HINCRBYFLOAT', 'hbig', 'g', '1e308'], ['HINCRBYFLOAT', 'hbig', 'g', '1e308'],
        ['HINCRBYFLOAT', 'h', 'g2', '3.0e3'], ['HINCRBYFLOAT', 'h', 'g2', '0.1'], ['HINCRBYFLOAT', 'h', 'g3', '5.0e-7'], ['HINCRBYFLOAT', 'h', 'g3', '1e5000'],
        ['HRANDFIELD', 'h', '0'], ['HRANDFIELD', 'h', '99'], ['HRANDFIELD', 'h', '99', 'withvalues'], ['HRANDFIELD', 'h', '1', 'x'], ['HRANDFIELD', 'nokey', '-3'],
        ['HRANDFIELD', 'h', '-9223372036854775808'], ['HRANDFIELD', 'h', '-9223372036854770000', 'withvalues'],
        ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'MATCH', '[ab]'], ['HSCAN', 'h', '18446744073709551616'], ['HSCAN', 'h', '0', 'COUNT', '-1'], ['HSCAN', 'nokey', '0', 'COUNT', '0'],
        ['SET', 's', 'x'], ['HGET', 's', 'a'], ['HSET', 's', 'a', 'b'], ['HRANDFIELD', 's', '3'], ['HSET', 'h', 'x'], ['HMSET', 'h', 'x', 'y', 'z'], ['HGET', 'h'],
        ['HSET', 'e', 'a', '1'], ['HDEL', 'e', 'a'], ['EXISTS', 'e'],
      ];
      for (const cmd of script) assert.equal(await b.call(...cmd), await a.call(...cmd), cmd.join(' '));
    } finally {
      a.close();
      b.close();
      await srv.close();
      await oracle.close();
    }
  });
});
