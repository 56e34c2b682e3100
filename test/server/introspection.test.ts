/*
 * CONFIG GET/SET round trips and validation, COMMAND INFO key specs,
 * COMMAND GETKEYS/GETKEYSANDFLAGS and COMMAND LIST: replies compared byte
 * for byte with the real redis-server where it behaves as Redis 7.2.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServerPair, type RawClient } from '../helpers';

const pair = new ServerPair();
let n: RawClient;

before(async () => {
  await pair.start();
  n = pair.n;
});

after(() => pair.stop());

const c = (s: string): string[] => s.split(' ');

/** Parse a flat RESP2 array of bulk strings. */
function bulks(reply: string): string[] {
  const out: string[] = [];
  const lines = reply.split('\r\n');
  for (let i = 1; i < lines.length; i++) if (lines[i].startsWith('$')) out.push(lines[++i]);
  return out;
}

// Parameters the upstream CONFIG sanity test leaves alone (immutable, or paths and sockets).
const SKIP = new Set(
  ('rdbchecksum daemonize io-threads-do-reads tcp-backlog always-show-logo syslog-enabled cluster-enabled disable-thp aclfile ' +
    'unixsocket pidfile syslog-ident appendfilename appenddirname supervised syslog-facility databases io-threads logfile ' +
    'unixsocketperm replicaof slaveof requirepass server_cpulist bio_cpulist aof_rewrite_cpulist bgsave_cpulist set-proc-title ' +
    'cluster-config-file cluster-port oom-score-adj oom-score-adj-values enable-protected-configs enable-debug-command ' +
    'enable-module-command dbfilename dir socket-mark-id tls-port port bind').split(' '),
);

test('every mutable parameter can be set to its own value and reads back the same', async () => {
  const before = bulks(await n.call('CONFIG', 'GET', '*'));
  const values = new Map<string, string>();
  for (let i = 0; i < before.length; i += 2) {
    if (SKIP.has(before[i])) continue;
    values.set(before[i], before[i + 1]);
    assert.equal(await n.call('CONFIG', 'SET', before[i], before[i + 1]), '+OK\r\n', `CONFIG SET ${before[i]} ${before[i + 1]}`);
  }
  const after = bulks(await n.call('CONFIG', 'GET', '*'));
  for (let i = 0; i < after.length; i += 2) {
    if (values.has(after[i])) assert.equal(after[i + 1], values.get(after[i]), after[i]);
  }
  // Once-immutable debugging switches are modifiable in Redis 7.2.
  for (const p of ['crash-log-enabled', 'crash-memcheck-enabled', 'jemalloc-bg-thread']) assert.equal(await n.call('CONFIG', 'SET', p, 'yes'), '+OK\r\n');
  assert.equal(await n.call('CONFIG', 'SET', 'ignore-warnings', ''), '+OK\r\n');
});

test('numeric bounds, percentages and multi-flag enums match redis', async () => {
  await pair.both([
    c('CONFIG SET maxmemory-clients 200%'),
    c('CONFIG SET maxmemory-clients 10%'),
    c('CONFIG GET maxmemory-clients'),
    c('CONFIG SET maxmemory-clients -1'),
    c('CONFIG SET maxmemory-clients 1x'),
    c('CONFIG SET maxmemory-clients 0'),
    c('CONFIG SET maxclients -1'),
    c('CONFIG SET hz -1'),
    c('CONFIG SET maxmemory-samples 100'),
    c('CONFIG GET maxmemory-samples'),
    c('CONFIG SET maxmemory-samples 5'),
    c('CONFIG SET active-defrag-cycle-max 100'),
    c('CONFIG SET repl-timeout 0'),
    c('CONFIG SET zset-max-listpack-entries 1kb'),
    c('CONFIG SET client-query-buffer-limit 1000'),
    ['CONFIG', 'SET', 'shutdown-on-sigint', 'force now nosave'],
    c('CONFIG GET shutdown-on-sigint'),
    ['CONFIG', 'SET', 'shutdown-on-sigint', 'default now'],
    c('CONFIG GET shutdown-on-sigint'),
    ['CONFIG', 'SET', 'shutdown-on-sigint', 'save nosave'],
    c('CONFIG SET shutdown-on-sigint default'),
    c('CONFIG GET shutdown-on-sigint'),
    c('CONFIG GET lua-time-limit'),
    c('CONFIG SET lua-time-limit abc'),
    c('CONFIG SET hash-max-ziplist-entries -1'),
  ]);
  // A bad value among several rolls back those before it.
  const mm = await n.call('CONFIG', 'GET', 'maxmemory');
  assert.equal(
    await n.call('CONFIG', 'SET', 'maxmemory', '10000001', 'maxmemory-clients', '200%', 'client-query-buffer-limit', 'invalid'),
    "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n",
  );
  assert.equal(await n.call('CONFIG', 'GET', 'maxmemory'), mm);
  // lua-time-limit is busy-reply-threshold's old name.
  assert.equal(await n.call('CONFIG', 'SET', 'lua-time-limit', '1234'), '+OK\r\n');
  assert.equal(await n.call('CONFIG', 'GET', 'busy-reply-threshold'), '*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n1234\r\n');
  await n.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
});

test('COMMAND GETKEYS and GETKEYSANDFLAGS match redis', async () => {
  await pair.both([
    c('COMMAND GETKEYSANDFLAGS set k1 v1'),
    c('COMMAND GETKEYSANDFLAGS set k1 v1 GET'),
    c('COMMAND GETKEYSANDFLAGS mset k1 v1 k2 v2'),
    c('COMMAND GETKEYSANDFLAGS LMOVE k1 k2 left right'),
    c('COMMAND GETKEYSANDFLAGS sort k1 store k2'),
    c('COMMAND GETKEYSANDFLAGS bitfield k GET u8 0'),
    c('COMMAND GETKEYSANDFLAGS bitfield k SET u8 0 1'),
    c('COMMAND GETKEYSANDFLAGS xread COUNT 2 STREAMS a b 0 0'),
    c('COMMAND GETKEYSANDFLAGS blmpop 0 2 a b left'),
    ['COMMAND', 'GETKEYSANDFLAGS', 'migrate', 'h', '1', '', '0', '5', 'KEYS', 'a', 'b'],
    c('COMMAND GETKEYSANDFLAGS zunionstore d 2 a b'),
    c('COMMAND GETKEYSANDFLAGS copy a b'),
    ['COMMAND', 'GETKEYS', 'eval', 'return 1', '0'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'eval', 'return 1', '1', 'k'],
    c('COMMAND GETKEYS zunionstore a 2 b'),
    c('COMMAND GETKEYS zunionstore a 0'),
    c('COMMAND GETKEYS nosuchcommand a'),
    c('COMMAND GETKEYS memory usage key'),
    c('COMMAND GETKEYS xgroup create key groupname $'),
    c('COMMAND GETKEYS lcs key1 key2'),
  ]);
});

test('COMMAND INFO key specs match redis', async () => {
  // (Commands whose key specs carry notes are left out: Nodis does not print the notes.)
  for (const name of ['get', 'lmove', 'xread', 'blmpop', 'georadius', 'bitop', 'object|encoding', 'keys', 'ping', 'zunionstore', 'xgroup|create']) {
    const a = await n.call('COMMAND', 'INFO', name);
    if (pair.r !== null) assert.equal(a, await pair.r.call('COMMAND', 'INFO', name), name);
  }
});

test('COMMAND LIST lists subcommands and filters by pattern and category', async () => {
  const all = bulks(await n.call('COMMAND', 'LIST'));
  assert.ok(all.includes('set'));
  assert.ok(all.includes('client|list'));
  assert.ok(all.includes('config|get'));
  const cl = bulks(await n.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'cl*help'));
  assert.ok(cl.includes('client|help') && cl.includes('cluster|help'));
  const scripting = bulks(await n.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'scripting'));
  assert.ok(scripting.includes('eval') && scripting.includes('script|kill') && !scripting.includes('set'));
  await pair.both([c('COMMAND LIST FILTERBY PATTERN set'), c('COMMAND LIST FILTERBY ACLCAT nosuchcategory'), c('COMMAND LIST bad'), c('COMMAND LIST FILTERBY bad x')]);
});
