/*
 * `npm run bench`: Nodis and the real redis-server side by side, in one run.
 *
 * Starts both servers, runs redis-benchmark (50 clients) against each for
 * PING, SET, GET, INCR, MSET at pipeline 1 and 16, prints requests/s and the
 * ratio Nodis/Redis; then loads 1M keys with 10-byte values into each and
 * compares INFO used_memory and process RSS.
 *
 * Environment: BENCH_REQUESTS (default 200000), BENCH_ROUNDS (5),
 * BENCH_PIPELINE_FACTOR (5), BENCH_KEYS (default 1000000).
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { waitPort } from './util';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200000);
const KEYS = Number(process.env.BENCH_KEYS ?? 1000000);
/** Alternating rounds per pipeline depth (the median is shown). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Requests at pipeline 16 = REQUESTS × this (runs of about a second each). */
const PIPELINE_FACTOR = Number(process.env.BENCH_PIPELINE_FACTOR ?? 5);
const TESTS = ['ping_mbulk', 'set', 'get', 'incr', 'mset'];
// Collections (issue 4): redis-benchmark fills the list with LPUSH before the LRANGE tests.
const COLLECTION_TESTS = ['lpush', 'rpop', 'sadd', 'spop', 'hset', 'zadd', 'zpopmin', 'lrange_100', 'lrange_600'];
const LEADERBOARD = Number(process.env.BENCH_LEADERBOARD ?? 1000000);
const LEADERBOARD_OPS = Number(process.env.BENCH_LEADERBOARD_OPS ?? 100000);

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version']).status === 0;
}

const workDir = mkdtempSync(join(tmpdir(), 'nodis-bench-'));

function startNodis(port: number): ChildProcess {
  return spawn(process.execPath, [join(__dirname, '..', 'src', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--dir', workDir], { stdio: 'ignore' });
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--dir', workDir], { stdio: 'ignore' });
}

function benchmark(port: number, pipeline: number, tests = TESTS, requests = REQUESTS): Map<string, number> {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', '50', '-n', String(requests), '-P', String(pipeline), '-t', tests.join(','), '--csv'], { encoding: 'utf8' });
  const out = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    const m = /^"([^"]+)","([0-9.]+)"/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Load KEYS keys with 10-byte values through one pipelined connection. */
async function loadKeys(port: number): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let replies = 0;
  let pending = Buffer.alloc(0);
  const done = new Promise<void>((res) => {
    sock.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      let i = 0;
      while ((i = pending.indexOf('\r\n')) >= 0) {
        pending = pending.subarray(i + 2);
        replies++;
      }
      if (replies >= KEYS) res();
    });
  });
  const batch = 10000;
  for (let i = 0; i < KEYS; i += batch) {
    let s = '';
    for (let j = i; j < Math.min(KEYS, i + batch); j++) {
      const k = `key:${String(j).padStart(10, '0')}`;
      s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$10\r\nvalue12345\r\n`;
    }
    if (!sock.write(s)) await new Promise((r) => sock.once('drain', r));
  }
  await done;
  sock.destroy();
}

/** Number of complete RESP replies at the start of `buf`, and the bytes they take. */
function countReplies(buf: Buffer): { n: number; used: number } {
  let pos = 0;
  let n = 0;
  for (;;) {
    const len = replyLength(buf, pos);
    if (len < 0) return { n, used: pos };
    pos += len;
    n++;
  }
}

function replyLength(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const t = buf[pos];
  const head = Number(buf.latin1Slice(pos + 1, nl));
  if (t === 36 /* $ */) {
    if (head < 0) return nl + 2 - pos;
    return buf.length >= nl + 2 + head + 2 ? nl + 2 + head + 2 - pos : -1;
  }
  if (t === 42 /* * */) {
    let p = nl + 2;
    for (let i = 0; i < head; i++) {
      const l = replyLength(buf, p);
      if (l < 0) return -1;
      p += l;
    }
    return p - pos;
  }
  return nl + 2 - pos;
}

/** Send `count` commands made by `make(i)` on one connection, `depth` in flight; resolves with the elapsed ms. */
async function closedLoop(port: number, count: number, depth: number, make: (i: number) => string): Promise<number> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let sent = 0;
  let done = 0;
  let pending = Buffer.alloc(0);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const pump = () => {
      let out = '';
      while (sent < count && sent - done < depth) out += make(sent++);
      if (out) sock.write(out);
    };
    sock.on('data', (d) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      const { n, used } = countReplies(pending);
      pending = pending.subarray(used);
      done += n;
      if (done >= count) resolve();
      else pump();
    });
    pump();
  });
  sock.destroy();
  return performance.now() - t0;
}

function cmd(...args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

/**
 * The leaderboard workload: LEADERBOARD members with random scores (ZADD,
 * pipelined), then LEADERBOARD_OPS requests over 20 connections of
 * ZREVRANK for a random member and ZRANGE 0 99 REV WITHSCORES (top 100).
 */
async function leaderboard(port: number): Promise<{ loadOps: number; queryOps: number }> {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const tLoad = await closedLoop(port, LEADERBOARD, 2000, (i) => cmd('ZADD', 'leaderboard', String(Math.floor(rnd() * 1e9)), `player:${i}`));
  const conns = 20;
  const per = Math.floor(LEADERBOARD_OPS / conns);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conns }, () =>
      closedLoop(port, per, 1, (i) => (i % 2 === 0 ? cmd('ZREVRANK', 'leaderboard', `player:${Math.floor(rnd() * LEADERBOARD)}`) : cmd('ZRANGE', 'leaderboard', '0', '99', 'REV', 'WITHSCORES'))),
    ),
  );
  const tq = performance.now() - t0;
  return { loadOps: (LEADERBOARD / tLoad) * 1000, queryOps: ((per * conns) / tq) * 1000 };
}

async function usedMemory(port: number): Promise<number> {
  const r = spawnSync('redis-cli', ['-p', String(port), 'info', 'memory'], { encoding: 'utf8' });
  const m = /used_memory:(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(n: number): string {
  return n.toFixed(0).padStart(10);
}

async function main(): Promise<void> {
  if (!have('redis-server') || !have('redis-benchmark')) {
    console.log('redis-server and redis-benchmark are needed: apt-get install redis-server redis-tools');
    process.exit(1);
  }
  const nPort = 16379 + Math.floor(Math.random() * 1000);
  const rPort = nPort + 1000;
  let nodis = startNodis(nPort);
  let redis = startRedis(rPort);
  try {
    await waitPort(nPort);
    await waitPort(rPort);
    // Each round runs every test on Nodis, then on redis-server, so the two
    // figures of a pair are taken close in time; the table shows the median
    // of ROUNDS rounds (a single sub-second run on a small VM swings by ±20%).
    // Pipeline 16 sends PIPELINE_FACTOR times more requests, so that each run
    // lasts about as long as at pipeline 1.
    console.log(`redis-benchmark -c 50 -n ${REQUESTS} (×${PIPELINE_FACTOR} at pipeline 16), median of ${ROUNDS} alternating rounds; requests per second (higher is better)`);
    console.log(`${'test'.padEnd(14)} ${'pipeline'.padStart(8)} ${'nodis'.padStart(10)} ${'redis'.padStart(10)} ${'ratio'.padStart(7)}   ratios of the rounds`);
    for (const p of [1, 16]) {
      const runs: { a: Map<string, number>; b: Map<string, number> }[] = [];
      const n = p === 1 ? REQUESTS : REQUESTS * PIPELINE_FACTOR;
      for (let r = 0; r < ROUNDS; r++) runs.push({ a: benchmark(nPort, p, TESTS, n), b: benchmark(rPort, p, TESTS, n) });
      for (const name of runs[0].b.keys()) {
        const nv = median(runs.map((x) => x.a.get(name) ?? 0));
        const rv = median(runs.map((x) => x.b.get(name) ?? 0));
        const ratios = runs.map((x) => (x.a.get(name) ?? 0) / (x.b.get(name) ?? 1));
        console.log(`${name.padEnd(14)} ${String(p).padStart(8)} ${fmt(nv)} ${fmt(rv)} ${median(ratios).toFixed(2).padStart(7)}   ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
      }
    }
    console.log(`\ncollections: redis-benchmark -c 50 -n ${REQUESTS} -P 1`);
    {
      const a = benchmark(nPort, 1, COLLECTION_TESTS);
      const b = benchmark(rPort, 1, COLLECTION_TESTS);
      for (const [name, rv] of b) {
        const nv = a.get(name) ?? 0;
        console.log(`${name.padEnd(34)} ${fmt(nv)} ${fmt(rv)} ${(nv / rv).toFixed(2).padStart(7)}`);
      }
    }
    if (LEADERBOARD > 0) {
      // Fresh processes: RSS must not include memory freed by the earlier parts.
      nodis.kill('SIGKILL');
      redis.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      nodis = startNodis(nPort);
      redis = startRedis(rPort);
      await waitPort(nPort);
      await waitPort(rPort);
      const a = await leaderboard(nPort);
      const b = await leaderboard(rPort);
      const nm = await usedMemory(nPort);
      const rm = await usedMemory(rPort);
      const nr = rssOf(nodis.pid as number);
      const rr = rssOf(redis.pid as number);
      const mb = (x: number) => (x / 1024 / 1024).toFixed(1).padStart(8) + ' MB';
      console.log(`\nleaderboard: ${LEADERBOARD} members (ZADD random scores), then ZREVRANK + top-100 ZRANGE WITHSCORES over 20 connections`);
      console.log(`ZADD load ops/s    nodis ${fmt(a.loadOps)}   redis ${fmt(b.loadOps)}   ratio ${(a.loadOps / b.loadOps).toFixed(2)}`);
      console.log(`query ops/s        nodis ${fmt(a.queryOps)}   redis ${fmt(b.queryOps)}   ratio ${(a.queryOps / b.queryOps).toFixed(2)}`);
      console.log(`used_memory        nodis ${mb(nm)}   redis ${mb(rm)}   ratio ${(nm / rm).toFixed(2)}`);
      console.log(`process RSS        nodis ${mb(nr)}   redis ${mb(rr)}   ratio ${(nr / rr).toFixed(2)}`);
      spawnSync('redis-cli', ['-p', String(nPort), 'flushall']);
      spawnSync('redis-cli', ['-p', String(rPort), 'flushall']);
    }
    if (KEYS > 0) {
      nodis.kill('SIGKILL');
      redis.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      nodis = startNodis(nPort);
      redis = startRedis(rPort);
      await waitPort(nPort);
      await waitPort(rPort);
      await loadKeys(nPort);
      await loadKeys(rPort);
      await new Promise((r) => setTimeout(r, 500));
      const nm = await usedMemory(nPort);
      const rm = await usedMemory(rPort);
      const nr = rssOf(nodis.pid as number);
      const rr = rssOf(redis.pid as number);
      const mb = (x: number) => (x / 1024 / 1024).toFixed(1).padStart(8) + ' MB';
      console.log(`\nmemory with ${KEYS} keys of 10-byte values`);
      console.log(`used_memory    nodis ${mb(nm)}   redis ${mb(rm)}   ratio ${(nm / rm).toFixed(2)}`);
      console.log(`process RSS    nodis ${mb(nr)}   redis ${mb(rr)}   ratio ${(nr / rr).toFixed(2)}`);
    }
  } finally {
    nodis.kill('SIGKILL');
    redis.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
