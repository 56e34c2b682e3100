/*
 * Durability of the append-only file under kill -9.
 *
 * bin/nodis-server runs as a child process on a temp dir with
 * `--appendonly yes`. Writers on several connections issue INCR and SET
 * commands (pipelined a few at a time) and record every write whose reply
 * arrived. The server is killed with SIGKILL at seeded random moments and
 * restarted on the same dir; after each restart every acknowledged write must
 * be there (`appendfsync always`), or at most about a second's worth may be
 * missing (`appendfsync everysec`, asserted with a generous 3 s bound).
 *
 * (kill -9 kills the process, not the machine: what was written to the OS
 * survives, so with everysec the loss measured is that of data Nodis had not
 * yet written to the OS, normally none.)
 *
 * Nothing here depends on timing for correctness: the kill moments only
 * decide how much was written, the checks compare against what was acked.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, encodeCommand, freePort, sleep } from '../helpers';
import { mulberry32 as prng } from '../prng';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');


const SEED = Number(process.env.DURABILITY_SEED ?? 20261126);

const dirs: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

interface Server {
  port: number;
  child: ChildProcess;
  log: () => string;
}

/** Start bin/nodis-server on `dir` and wait until it says it is ready (dataset loaded). */
async function startServer(dir: string, extra: string[]): Promise<Server> {
  const port = await freePort();
  let out = '';
  const child = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60000;
  while (!out.includes('Ready to accept connections')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nodis-server exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`nodis-server did not become ready:\n${out}`);
    await sleep(20);
  }
  // The port may have been taken between freePort() and listen(): check it is ours.
  const c = await RawClient.connect(port);
  const pong = await c.call('PING');
  c.close();
  if (pong !== '+PONG\r\n') throw new Error(`unexpected PING reply ${JSON.stringify(pong)}:\n${out}`);
  return { port, child, log: () => out };
}

function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

/** Everything acknowledged so far, across restarts. */
class Acks {
  /** counter key -> acknowledged values with the time each reply arrived (increasing). */
  counters = new Map<string, { v: number; t: number }[]>();
  /** SET key -> value and time of the reply. */
  sets = new Map<string, { v: string; t: number }>();
  errors = 0;
  total = 0;

  maxCounter(key: string, before = Infinity): number {
    const h = this.counters.get(key);
    let best = 0;
    if (h !== undefined) for (const e of h) if (e.t <= before && e.v > best) best = e.v;
    return best;
  }
}

/**
 * One writer connection: batches of 8 pipelined commands (INCR and SET
 * alternating) until the connection dies. Only replies that arrived count.
 */
async function writer(port: number, conn: number, round: number, acks: Acks): Promise<void> {
  let c: RawClient;
  try {
    c = await RawClient.connect(port);
  } catch {
    return; // killed before we connected
  }
  let n = 0;
  try {
    for (;;) {
      const batch: string[][] = [];
      for (let i = 0; i < 8; i++, n++) {
        if (n % 2 === 0) batch.push(['INCR', `cnt:${conn}:${(n >> 1) % 3}`]);
        else batch.push(['SET', `s:${round}:${conn}:${n}`, `v${round}.${conn}.${n}`]);
      }
      c.write(Buffer.concat(batch.map((a) => encodeCommand(a))));
      for (const cmd of batch) {
        const r = await c.read(60000);
        const t = Date.now();
        if (cmd[0] === 'INCR' && r.startsWith(':')) {
          let h = acks.counters.get(cmd[1]);
          if (h === undefined) acks.counters.set(cmd[1], (h = []));
          h.push({ v: Number(r.slice(1, -2)), t });
          acks.total++;
        } else if (cmd[0] === 'SET' && r === '+OK\r\n') {
          acks.sets.set(cmd[1], { v: cmd[2], t });
          acks.total++;
        } else {
          acks.errors++;
        }
      }
    }
  } catch {
    /* connection closed by the kill */
  } finally {
    c.close();
  }
}

/** Check the restarted server against the acks; returns keys/counters that fall short. */
async function verify(port: number, acks: Acks, ackedBefore = Infinity): Promise<{ missingSets: { key: string; t: number }[]; shortCounters: string[]; checked: number }> {
  const c = await RawClient.connect(port);
  const missingSets: { key: string; t: number }[] = [];
  const shortCounters: string[] = [];
  let checked = 0;
  const keys = [...acks.sets.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    c.write(encodeCommand(['MGET', ...chunk]));
    const raw = await c.read(60000);
    // Parse the MGET array reply.
    let p = raw.indexOf('\r\n') + 2;
    for (const k of chunk) {
      const nl = raw.indexOf('\r\n', p);
      const len = Number(raw.slice(p + 1, nl));
      let v: string | null = null;
      p = nl + 2;
      if (len >= 0) {
        v = raw.slice(p, p + len);
        p += len + 2;
      }
      const a = acks.sets.get(k) as { v: string; t: number };
      checked++;
      if (v !== a.v) missingSets.push({ key: k, t: a.t });
    }
  }
  for (const key of acks.counters.keys()) {
    const r = await c.call('GET', key);
    const m = /^\$\d+\r\n(-?\d+)\r\n$/.exec(r);
    const have = m === null ? 0 : Number(m[1]);
    checked++;
    if (have < acks.maxCounter(key, ackedBefore)) shortCounters.push(`${key}: have ${have}, acked ${acks.maxCounter(key)}`);
  }
  c.close();
  return { missingSets, shortCounters, checked };
}

test('appendfsync always: 20 kill -9 at random moments lose no acknowledged write', { timeout: 240000 }, async (t) => {
  const rnd = prng(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'nodis-durability-'));
  dirs.push(dir);
  const opts = ['--appendonly', 'yes', '--appendfsync', 'always'];
  const acks = new Acks();
  const ROUNDS = 20;
  const WRITERS = 4;
  let rewrites = 0;
  let srv = await startServer(dir, opts);
  for (let round = 0; round < ROUNDS; round++) {
    const before = acks.total;
    const ws: Promise<void>[] = [];
    for (let w = 0; w < WRITERS; w++) ws.push(writer(srv.port, w, round, acks));
    // Every fourth round a rewrite runs too, so some kills land during BGREWRITEAOF.
    if (round % 4 === 3) {
      const a = await RawClient.connect(srv.port);
      const r = await a.call('BGREWRITEAOF');
      a.close();
      assert.match(r, /^\+Background append only file rewriting (started|scheduled)/);
      rewrites++;
    }
    await sleep(50 + Math.floor(rnd() * 800));
    await kill9(srv.child);
    await Promise.all(ws);
    srv = await startServer(dir, opts);
    const v = await verify(srv.port, acks);
    t.diagnostic(`round ${round + 1}: acked ${acks.total - before} writes this round (${acks.total} total, ${acks.sets.size} SET keys, ${acks.counters.size} counters); checked ${v.checked}, missing ${v.missingSets.length}, short counters ${v.shortCounters.length}`);
    assert.deepEqual(v.shortCounters, [], `round ${round + 1}: counters below their acknowledged value\n${srv.log()}`);
    assert.deepEqual(v.missingSets.slice(0, 10).map((m) => m.key), [], `round ${round + 1}: ${v.missingSets.length} acknowledged SETs missing`);
  }
  await kill9(srv.child);
  t.diagnostic(`always: ${ROUNDS} kills (${rewrites} during/after BGREWRITEAOF), ${acks.total} acknowledged writes all present, ${acks.errors} error replies; AOF dir: ${readdirSync(join(dir, 'appendonlydir')).sort().join(' ')}`);
  assert.ok(acks.total > ROUNDS, 'the writers got some replies');
  assert.equal(acks.errors, 0);
});

test('appendfsync everysec: kill -9 loses at most about a second of acknowledged writes', { timeout: 180000 }, async (t) => {
  const rnd = prng(SEED ^ 0x5eed);
  const dir = mkdtempSync(join(tmpdir(), 'nodis-durability-es-'));
  dirs.push(dir);
  const opts = ['--appendonly', 'yes', '--appendfsync', 'everysec'];
  const acks = new Acks();
  const BOUND_MS = 3000;
  let srv = await startServer(dir, opts);
  let worstWindow = 0;
  let totalMissing = 0;
  for (let round = 0; round < 3; round++) {
    const before = acks.total;
    const ws: Promise<void>[] = [];
    for (let w = 0; w < 4; w++) ws.push(writer(srv.port, w, round, acks));
    await sleep(1200 + Math.floor(rnd() * 1500));
    const killedAt = Date.now();
    await kill9(srv.child);
    await Promise.all(ws);
    srv = await startServer(dir, opts);
    // Everything acked more than BOUND_MS before the kill must be there.
    const v = await verify(srv.port, acks, killedAt - BOUND_MS);
    let recent = 0;
    for (const a of acks.sets.values()) if (a.t > killedAt - BOUND_MS) recent++;
    const window = v.missingSets.length ? killedAt - Math.min(...v.missingSets.map((m) => m.t)) : 0;
    worstWindow = Math.max(worstWindow, window);
    totalMissing += v.missingSets.length;
    t.diagnostic(`everysec round ${round + 1}: acked ${acks.total - before} writes, ${v.missingSets.length} acknowledged SETs missing (oldest acked ${window} ms before the kill; ${recent} SETs acked in the last ${BOUND_MS} ms), short counters ${v.shortCounters.length}`);
    assert.deepEqual(v.shortCounters, [], 'counters lost more than the bound');
    for (const m of v.missingSets) assert.ok(m.t > killedAt - BOUND_MS, `${m.key} acked ${killedAt - m.t} ms before the kill is missing`);
    // Forget what was lost so the next round checks only its own bound.
    for (const m of v.missingSets) acks.sets.delete(m.key);
    for (const [k, h] of acks.counters) {
      const r = await (async () => {
        const c = await RawClient.connect(srv.port);
        const x = await c.call('GET', k);
        c.close();
        return x;
      })();
      const m = /^\$\d+\r\n(-?\d+)\r\n$/.exec(r);
      const have = m === null ? 0 : Number(m[1]);
      acks.counters.set(k, h.filter((e) => e.v <= have));
    }
  }
  await kill9(srv.child);
  t.diagnostic(`everysec: 3 kills, ${acks.total} acknowledged writes, ${totalMissing} lost, worst loss window ${worstWindow} ms (bound ${BOUND_MS} ms)`);
  assert.ok(worstWindow <= BOUND_MS);
  assert.equal(acks.errors, 0);
});
