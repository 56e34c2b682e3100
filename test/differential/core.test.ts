/*
 * Differential test: the same command sequences sent to Nodis and to the real
 * redis-server (Debian's) must produce identical reply bytes. Skipped when
 * redis-server is not installed.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, type Oracle, type RunningServer } from '../helpers';

type Cmd = string[];

/** Sequences: each runs on an empty database, reply by reply. */
function cases(): { name: string; cmds: Cmd[] }[] {
  const out: { name: string; cmds: Cmd[] }[] = [];
  const add = (name: string, ...cmds: Cmd[]) => out.push({ name, cmds });

  // --- SET and its options
  const setOpts: Cmd[] = [[], ['NX'], ['XX'], ['GET'], ['NX', 'GET'], ['XX', 'GET'], ['EX', '100'], ['PX', '100000'], ['EXAT', '99999999999'], ['PXAT', '99999999999999'], ['KEEPTTL'],
    ['EX', '0'], ['EX', '-1'], ['PX', '0'], ['EX', 'abc'], ['EX'], ['NX', 'XX'], ['EX', '10', 'PX', '10'], ['KEEPTTL', 'EX', '10'], ['FOO'], ['EX', '9223372036854775807'], ['PX', '9223372036854775807'], ['EXAT', '0'], ['GET', 'GET']];
  for (const o of setOpts) {
    add(`SET ${o.join(' ')} on missing`, ['SET', 'k', 'v', ...o], ['GET', 'k'], ['TTL', 'k']);
    add(`SET ${o.join(' ')} on existing`, ['SET', 'k', 'old'], ['SET', 'k', 'v', ...o], ['GET', 'k'], ['TTL', 'k']);
    add(`SET ${o.join(' ')} on list`, ['RPUSH', 'k', 'a'], ['SET', 'k', 'v', ...o], ['TYPE', 'k']);
  }
  // --- GET family
  add('GET missing', ['GET', 'nope']);
  add('GET wrong type', ['RPUSH', 'l', 'a'], ['GET', 'l']);
  add('GETDEL', ['SET', 'k', 'v'], ['GETDEL', 'k'], ['GETDEL', 'k'], ['EXISTS', 'k']);
  add('GETSET', ['GETSET', 'k', 'a'], ['GETSET', 'k', 'b'], ['GET', 'k']);
  for (const o of [[], ['PERSIST'], ['EX', '100'], ['PX', '100'], ['EXAT', '99999999999'], ['EX', '0'], ['EX', '-5'], ['EX', 'x'], ['PERSIST', 'EX', '10'], ['BAD']]) {
    add(`GETEX ${o.join(' ')}`, ['SET', 'k', 'v', 'EX', '50'], ['GETEX', 'k', ...o], ['TTL', 'k'], ['GETEX', 'missing', ...o]);
  }
  add('MSET/MGET', ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b']);
  add('MSETNX', ['MSETNX', 'a', '1', 'b', '2'], ['MSETNX', 'b', '3', 'c', '4'], ['MGET', 'a', 'b', 'c']);
  add('MGET with list', ['RPUSH', 'l', 'x'], ['SET', 's', 'y'], ['MGET', 'l', 's', 'nope']);
  add('SETNX', ['SETNX', 'k', 'a'], ['SETNX', 'k', 'b'], ['GET', 'k']);
  for (const t of ['10', '0', '-1', 'x', '9223372036854775807']) {
    add(`SETEX ${t}`, ['SETEX', 'k', t, 'v'], ['TTL', 'k']);
    add(`PSETEX ${t}`, ['PSETEX', 'k', t, 'v'], ['GET', 'k']);
  }
  // --- APPEND, STRLEN, ranges
  add('APPEND', ['APPEND', 'k', 'hello'], ['APPEND', 'k', ' world'], ['GET', 'k'], ['STRLEN', 'k'], ['STRLEN', 'nope']);
  add('APPEND to int', ['SET', 'k', '10'], ['APPEND', 'k', '5'], ['INCR', 'k']);
  add('APPEND wrong type', ['RPUSH', 'k', 'a'], ['APPEND', 'k', 'x'], ['STRLEN', 'k']);
  const ranges: [string, string][] = [['0', '-1'], ['0', '0'], ['1', '3'], ['-3', '-1'], ['5', '2'], ['-100', '100'], ['100', '200'], ['-1', '-5'], ['0', '-100'], ['-100', '-50'], ['3', '-3'], ['x', '1'], ['0', '9223372036854775807']];
  for (const [s, e] of ranges) {
    add(`GETRANGE ${s} ${e}`, ['SET', 'k', 'Hello World'], ['GETRANGE', 'k', s, e], ['SUBSTR', 'k', s, e], ['GETRANGE', 'nope', s, e]);
  }
  add('GETRANGE empty', ['SET', 'k', ''], ['GETRANGE', 'k', '0', '-1']);
  for (const [o, v] of [['0', 'abc'], ['5', 'xy'], ['20', 'z'], ['-1', 'a'], ['x', 'a'], ['0', ''], ['536870912', 'a'], ['536870911', 'a']] as [string, string][]) {
    add(`SETRANGE ${o} ${v}`, ['SET', 'k', 'Hello World'], ['SETRANGE', 'k', o, v], ['GET', 'k'], ['SETRANGE', 'new', o, v], ['EXISTS', 'new']);
  }
  // --- counters
  for (const v of ['0', '1', '-1', '9223372036854775806', '9223372036854775807', '-9223372036854775808', '-9223372036854775807', '12345678901234567', ' 1', '1 ', '01', '+1', 'abc', '1.5', '', '-0']) {
    add(`INCR on '${v}'`, ['SET', 'k', v], ['INCR', 'k'], ['GET', 'k']);
    add(`DECR on '${v}'`, ['SET', 'k', v], ['DECR', 'k'], ['GET', 'k']);
  }
  for (const by of ['1', '-1', '0', '9223372036854775807', '-9223372036854775808', 'x', '1.5', '100000000000000000000']) {
    add(`INCRBY ${by}`, ['SET', 'k', '5'], ['INCRBY', 'k', by], ['GET', 'k']);
    add(`DECRBY ${by}`, ['SET', 'k', '5'], ['DECRBY', 'k', by], ['GET', 'k']);
    add(`INCRBY missing ${by}`, ['INCRBY', 'm', by], ['GET', 'm']);
  }
  for (const [a, b] of [['10.5', '0.1'], ['1', '1.1'], ['0', '1e3'], ['3', '-3'], ['5.0e3', '2.0e2'], ['1', 'abc'], ['abc', '1'], ['0', 'inf'], ['1', '+inf'], ['0', 'nan'], ['1', ''], ['17179869184', '1.5'], ['0.1', '0.2'], ['-1.5', '1.5'], ['1e308', '1e308']] as [string, string][]) {
    add(`INCRBYFLOAT ${a} ${b}`, ['SET', 'k', a], ['INCRBYFLOAT', 'k', b], ['GET', 'k']);
  }
  add('INCR wrong type', ['RPUSH', 'k', 'a'], ['INCR', 'k'], ['INCRBYFLOAT', 'k', '1'], ['DECRBY', 'k', '2']);
  // --- LCS
  add('LCS', ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'], ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'IDX', 'LEN'], ['LCS', 'a', 'nope'], ['LCS', 'a', 'b', 'FOO']);
  add('LCS wrong type', ['RPUSH', 'l', 'x'], ['SET', 's', 'y'], ['LCS', 'l', 's']);
  // --- keyspace
  add('DEL/EXISTS/UNLINK', ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['EXISTS', 'a', 'a', 'b', 'z'], ['DEL', 'a', 'z'], ['UNLINK', 'b', 'c', 'c'], ['EXISTS', 'a', 'b', 'c']);
  add('TYPE', ['SET', 's', '1'], ['RPUSH', 'l', '1'], ['TYPE', 's'], ['TYPE', 'l'], ['TYPE', 'none']);
  add('RENAME', ['SET', 'a', '1'], ['RENAME', 'a', 'b'], ['GET', 'b'], ['RENAME', 'nope', 'x'], ['RENAME', 'b', 'b'], ['SET', 'c', 'x'], ['RENAME', 'b', 'c'], ['GET', 'c']);
  add('RENAMENX', ['MSET', 'a', '1', 'b', '2'], ['RENAMENX', 'a', 'b'], ['RENAMENX', 'a', 'c'], ['RENAMENX', 'c', 'c'], ['RENAMENX', 'nope', 'd'], ['MGET', 'a', 'b', 'c']);
  add('RENAME keeps TTL', ['SET', 'a', '1', 'EX', '100'], ['RENAME', 'a', 'b'], ['TTL', 'b']);
  add('MOVE', ['SET', 'a', '1'], ['MOVE', 'a', '1'], ['EXISTS', 'a'], ['SELECT', '1'], ['GET', 'a'], ['MOVE', 'a', '0'], ['MOVE', 'a', '1'], ['MOVE', 'a', 'x'], ['MOVE', 'a', '99'], ['SELECT', '0'], ['GET', 'a'], ['FLUSHALL']);
  add('COPY', ['SET', 'a', '1', 'EX', '100'], ['COPY', 'a', 'b'], ['TTL', 'b'], ['COPY', 'a', 'b'], ['COPY', 'a', 'b', 'REPLACE'], ['COPY', 'a', 'a'], ['COPY', 'a', 'c', 'DB', '1'], ['COPY', 'a', 'c', 'DB', '99'], ['COPY', 'a', 'c', 'FOO'], ['COPY', 'nope', 'x'], ['FLUSHALL']);
  add('SWAPDB', ['SET', 'a', '1'], ['SWAPDB', '0', '1'], ['EXISTS', 'a'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['SWAPDB', '0', '99'], ['SWAPDB', '1', '0'], ['GET', 'a'], ['FLUSHALL']);
  add('SELECT', ['SELECT', '15'], ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'x'], ['SELECT', '0']);
  add('DBSIZE/FLUSHDB', ['MSET', 'a', '1', 'b', '2'], ['DBSIZE'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['FLUSHDB', 'FOO'], ['FLUSHDB', 'SYNC', 'ASYNC'], ['FLUSHALL', 'SYNC']);
  add('KEYS', ['MSET', 'foo', '1', 'fab', '2', 'bar', '3', 'f[x', '4'], ['KEYS', 'nomatch*'], ['KEYS', 'b?r']);
  const expOpts: Cmd[] = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['NX', 'XX'], ['GT', 'LT'], ['NX', 'GT'], ['FOO']];
  for (const cmd of ['EXPIRE', 'PEXPIRE']) {
    for (const o of expOpts) {
      add(`${cmd} ${o.join(' ')} no ttl`, ['SET', 'k', 'v'], [cmd, 'k', '1000000', ...o], ['TTL', 'k']);
      add(`${cmd} ${o.join(' ')} with ttl`, ['SET', 'k', 'v', 'EX', '500'], [cmd, 'k', '1000000', ...o], ['TTL', 'k'], [cmd, 'k', '100000', ...o], ['TTL', 'k']);
    }
    for (const t of ['-1', '0', 'x', '9223372036854775807', '-9223372036854775808', '9223370399119966', '1.5']) {
      add(`${cmd} ${t}`, ['SET', 'k', 'v'], [cmd, 'k', t], ['EXISTS', 'k']);
    }
    add(`${cmd} missing`, [cmd, 'nope', '100']);
  }
  add('EXPIREAT past', ['SET', 'k', 'v'], ['EXPIREAT', 'k', '100'], ['EXISTS', 'k']);
  add('PEXPIREAT far', ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '99999999999999'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k']);
  add('TTL family', ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['TTL', 'nope'], ['PTTL', 'nope'], ['EXPIRETIME', 'nope']);
  add('PERSIST', ['SET', 'k', 'v', 'EX', '100'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['TTL', 'k'], ['PERSIST', 'nope']);
  add('TOUCH', ['MSET', 'a', '1', 'b', '2'], ['TOUCH', 'a', 'b', 'c']);
  add('OBJECT ENCODING', ['SET', 'i', '12345'], ['SET', 'e', 'hello'], ['SET', 'r', 'x'.repeat(50)], ['OBJECT', 'ENCODING', 'i'], ['OBJECT', 'ENCODING', 'e'], ['OBJECT', 'ENCODING', 'r'], ['OBJECT', 'ENCODING', 'nope'], ['OBJECT', 'FOO', 'i'], ['OBJECT', 'FREQ', 'i']);
  add('SCAN errors', ['SCAN', 'x'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'FOO', 'bar'], ['SCAN', '0', 'MATCH']);
  add('SCAN small', ['SET', 'a', '1'], ['SCAN', '0'], ['SCAN', '0', 'MATCH', 'b*'], ['SCAN', '0', 'TYPE', 'list']);
  add('RANDOMKEY', ['RANDOMKEY'], ['SET', 'only', '1'], ['RANDOMKEY']);
  // --- connection
  add('PING/ECHO', ['PING'], ['PING', 'hello'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO']);
  add('unknown command', ['FOOBAR'], ['FOOBAR', 'a', 'b'], ['foobar', 'x'.repeat(200)]);
  add('arity errors', ['GET'], ['GET', 'a', 'b'], ['SET', 'a'], ['MGET'], ['EXPIRE', 'a'], ['config'], ['CONFIG', 'FOO'], ['CLIENT', 'FOO'], ['OBJECT']);
  add('CLIENT basics', ['CLIENT', 'SETNAME', 'has space'], ['CLIENT', 'SETNAME', 'ok-name'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'REPLY', 'FOO'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'UNBLOCK', 'x'], ['CLIENT', 'UNBLOCK', '999999'], ['CLIENT', 'PAUSE', 'x'], ['CLIENT', 'LIST', 'TYPE', 'foo']);
  add('HELLO errors', ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '2', 'FOO']);
  add('AUTH without password', ['AUTH', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'a', 'b', 'c']);
  add('CONFIG', ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', 'x'], ['CONFIG', 'SET', 'nope', '1'], ['CONFIG', 'SET', 'maxmemory', '10mb'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'appendfsync', 'sometimes'], ['CONFIG', 'SET', 'hz', 'x'], ['CONFIG', 'SET', 'daemonize', 'yes'], ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'GET', 'maxmemory-policy'], ['CONFIG', 'SET', 'maxmemory'], ['CONFIG', 'GET', 'no-such-*']);
  add('MULTI/EXEC', ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['EXEC'], ['EXEC'], ['DISCARD']);
  add('MULTI abort', ['MULTI'], ['SET', 'a'], ['GET', 'a'], ['EXEC'], ['GET', 'a']);
  add('MULTI runtime error', ['MULTI'], ['SET', 'a', 'x'], ['INCR', 'a'], ['SET', 'b', '2'], ['EXEC'], ['MGET', 'a', 'b']);
  add('MULTI nested', ['MULTI'], ['MULTI'], ['EXEC']);
  add('WATCH', ['SET', 'a', '1'], ['WATCH', 'a'], ['SET', 'a', '2'], ['MULTI'], ['GET', 'a'], ['EXEC']);
  add('WATCH no change', ['WATCH', 'a'], ['MULTI'], ['SET', 'a', '1'], ['EXEC'], ['UNWATCH']);
  // --- binary safety
  add('binary keys and values', ['SET', 'k\x00\xff\r\n', 'v\x00\x01\x80'], ['GET', 'k\x00\xff\r\n'], ['STRLEN', 'k\x00\xff\r\n'], ['APPEND', 'k\x00\xff\r\n', '\xfe'], ['GETRANGE', 'k\x00\xff\r\n', '1', '2']);
  // --- seeded random sequences over the string and keyspace commands
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const keys = ['a', 'b', 'c'];
  const vals = ['', '0', '1', '-7', '3.5', 'hello', '9223372036854775807', '0.1', '1e3', 'x y', '\x00\xff'];
  const nums = ['0', '1', '-1', '2', '5', '-3', '100', 'x', '1.5'];
  const gens: (() => Cmd)[] = [
    () => ['SET', keys[rnd(3)], vals[rnd(vals.length)]],
    () => ['GET', keys[rnd(3)]],
    () => ['APPEND', keys[rnd(3)], vals[rnd(vals.length)]],
    () => ['STRLEN', keys[rnd(3)]],
    () => ['INCR', keys[rnd(3)]],
    () => ['DECRBY', keys[rnd(3)], nums[rnd(nums.length)]],
    () => ['INCRBYFLOAT', keys[rnd(3)], ['0.1', '-0.3', '1e2', '3', '0.25', 'x'][rnd(6)]],
    () => ['GETRANGE', keys[rnd(3)], nums[rnd(nums.length)], nums[rnd(nums.length)]],
    () => ['SETRANGE', keys[rnd(3)], ['0', '1', '3', '10'][rnd(4)], vals[rnd(vals.length)]],
    () => ['GETDEL', keys[rnd(3)]],
    () => ['GETSET', keys[rnd(3)], vals[rnd(vals.length)]],
    () => ['MSETNX', keys[rnd(3)], '1', keys[rnd(3)], '2'],
    () => ['MGET', keys[rnd(3)], keys[rnd(3)]],
    () => ['EXISTS', keys[rnd(3)], keys[rnd(3)]],
    () => ['DEL', keys[rnd(3)]],
    () => ['RENAME', keys[rnd(3)], keys[rnd(3)]],
    () => ['RENAMENX', keys[rnd(3)], keys[rnd(3)]],
    () => ['EXPIRE', keys[rnd(3)], ['100', '0', '-1', '1000'][rnd(4)], ...[[], ['NX'], ['XX'], ['GT'], ['LT']][rnd(5)]],
    () => ['TTL', keys[rnd(3)]],
    () => ['PERSIST', keys[rnd(3)]],
    () => ['TYPE', keys[rnd(3)]],
    () => ['SETNX', keys[rnd(3)], vals[rnd(vals.length)]],
    () => ['COPY', keys[rnd(3)], keys[rnd(3)], ...[[], ['REPLACE']][rnd(2)]],
    () => ['LCS', keys[rnd(3)], keys[rnd(3)]],
  ];
  for (let i = 0; i < 150; i++) {
    const cmds: Cmd[] = [];
    const n = 4 + rnd(8);
    for (let j = 0; j < n; j++) cmds.push(gens[rnd(gens.length)]().map((x) => x.replace('\\x00\\xff', '\x00\xff')));
    cmds.push(['MGET', 'a', 'b', 'c']);
    add(`random #${i}`, ...cmds);
  }
  return out;
}

let nodis: RunningServer;
let oracle: Oracle | null = null;

before(async () => {
  nodis = await startNodis();
  oracle = await startOracle();
});

after(async () => {
  await nodis?.close();
  await oracle?.close();
});

test('core commands: identical reply bytes to redis-server', async (t) => {
  if (!oracle) {
    t.skip('redis-server not installed');
    return;
  }
  let a = await RawClient.connect(nodis.port);
  let b = await RawClient.connect(oracle.port);
  const port = oracle.port;
  const all = cases();
  let compared = 0;
  const failures: string[] = [];
  for (const c of all) {
    await a.call('FLUSHALL');
    await b.call('FLUSHALL');
    for (const cmd of c.cmds) {
      let ra: string;
      let rb: string;
      try {
        ra = await a.call(...cmd);
      } catch (e) {
        ra = `<${(e as Error).message}>`;
        a.close();
        a = await RawClient.connect(nodis.port);
      }
      try {
        rb = await b.call(...cmd);
      } catch (e) {
        rb = `<${(e as Error).message}>`;
        b.close();
        b = await RawClient.connect(port);
      }
      compared++;
      if (ra !== rb) failures.push(`${c.name}: ${JSON.stringify(cmd)}\n  nodis: ${JSON.stringify(ra)}\n  redis: ${JSON.stringify(rb)}`);
    }
  }
  a.close();
  b.close();
  t.diagnostic(`${all.length} sequences, ${compared} replies compared`);
  assert.deepEqual(failures, []);
  assert.ok(all.length >= 300, `only ${all.length} sequences`);
});
