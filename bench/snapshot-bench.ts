/*
 * `npm run bench:snapshot`: BGSAVE under load and RDB loading, Nodis next to
 * Debian's redis-server, in one run.
 *
 * For each server (bin/nodis-server, then redis-server), on a temp dir:
 *   1. load N small keys (`key:%012d` -> 10-byte value, the key names
 *      redis-benchmark -r uses) with pipelined SETs, RSS afterwards;
 *   2. baseline: redis-benchmark GET/SET, 50 clients, random keys, a few short
 *      runs back to back, p99 per run;
 *   3. the same runs back to back while a BGSAVE runs: p99 of the runs that
 *      overlap the save, and the save's duration (BGSAVE sent -> INFO says
 *      rdb_bgsave_in_progress:0);
 *   4. kill -9, restart on the file, time until "Ready to accept
 *      connections" (and the server's own "DB loaded from disk" figure),
 *      check DBSIZE.
 * Then both side by side with the ratio Nodis / Redis.
 *
 * Environment: SNAPSHOT_KEYS (default 10000000), SNAPSHOT_BENCH_REQUESTS
 * (requests per redis-benchmark run and test, default 20000).
 *
 * The default 10M keys fits this 2-core machine (about 7 minutes in all,
 * Nodis peaks near 2.1 GB RSS); SNAPSHOT_KEYS=1000000 for a quick run.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { freePort } from './util';

const KEYS = Number(process.env.SNAPSHOT_KEYS ?? 10_000_000);
const RUN_REQUESTS = Number(process.env.SNAPSHOT_BENCH_REQUESTS ?? 20000);
const BASELINE_RUNS = 3;
const BIN = join(__dirname, '..', '..', 'bin', 'nodis-server');

type Kind = 'nodis' | 'redis';

interface Proc {
  kind: Kind;
  port: number;
  child: ChildProcess;
  log: () => string;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of live) c.kill('SIGKILL');
    process.exit(130);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function start(kind: Kind, dir: string): Promise<{ proc: Proc; readyMs: number }> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const t0 = performance.now();
  const child = kind === 'nodis' ? spawn(BIN, [...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  for (;;) {
    if (out.includes('Ready to accept connections')) break;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${kind} exited:\n${out}`);
    await sleep(5);
  }
  return { proc: { kind, port, child, log: () => out }, readyMs: performance.now() - t0 };
}

function kill9(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    p.child.once('exit', () => r());
    p.child.kill('SIGKILL');
  });
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** A connection for a few control commands (replies read whole; enough for INFO, BGSAVE, DBSIZE). */
class Control {
  private buf = '';
  private constructor(private sock: net.Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (this.buf += d));
  }
  static open(port: number): Promise<Control> {
    return new Promise((res, rej) => {
      const s = net.connect(port, '127.0.0.1', () => res(new Control(s)));
      s.once('error', rej);
    });
  }
  async call(...args: string[]): Promise<string> {
    this.buf = '';
    this.sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    for (;;) {
      const b = this.buf;
      const nl = b.indexOf('\r\n');
      if (nl > 0 && (b[0] !== '$' || b.length >= nl + 2 + Number(b.slice(1, nl)) + 2)) return b;
      await sleep(2);
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

/** SET key:%012d for every i < n, pipelined in chunks with a few chunks in flight. */
async function fill(port: number, n: number): Promise<number> {
  const t0 = performance.now();
  const sock = await new Promise<net.Socket>((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
  const CHUNK = 5000;
  const WINDOW = 8;
  let replied = 0; // bytes of "+OK\r\n" received
  let wake: (() => void) | null = null;
  sock.on('data', (d: Buffer) => {
    replied += d.length;
    const w = wake;
    wake = null;
    w?.();
  });
  let sent = 0;
  while (sent < n) {
    const end = Math.min(n, sent + CHUNK);
    let s = '';
    for (let i = sent; i < end; i++) {
      const k = 'key:' + String(i).padStart(12, '0');
      const v = 'v' + String(i % 1000000000).padStart(9, '0');
      s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    }
    sock.write(s);
    sent = end;
    while ((sent - replied / 5) > CHUNK * WINDOW) await new Promise<void>((r) => (wake = r));
    if (sent % 1_000_000 < CHUNK) process.stdout.write(`\r  ${sent.toLocaleString('en')} keys sent`);
  }
  while (replied / 5 < n) await new Promise<void>((r) => (wake = r));
  sock.destroy();
  process.stdout.write('\n');
  return performance.now() - t0;
}

interface Run {
  start: number;
  end: number;
  p99: Record<string, number>;
  rps: Record<string, number>;
}

/** One redis-benchmark run: GET and SET, 50 clients, random existing keys, CSV. */
function benchRun(port: number): Promise<Run> {
  return new Promise((res, rej) => {
    const start = performance.now();
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '50', '-n', String(RUN_REQUESTS), '-r', String(KEYS), '-d', '10', '-t', 'set,get', '--csv'], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      live.delete(child);
      const end = performance.now();
      const lines = out.split('\n').filter((l) => l.startsWith('"'));
      const header = (lines.shift() ?? '').split(',').map((x) => x.replace(/"/g, ''));
      const iP99 = header.indexOf('p99_latency_ms');
      const iRps = header.indexOf('rps');
      if (code !== 0 || iP99 < 0) return rej(new Error(`redis-benchmark failed (${code}):\n${out}`));
      const p99: Record<string, number> = {};
      const rps: Record<string, number> = {};
      for (const l of lines) {
        const f = l.split(',').map((x) => x.replace(/"/g, ''));
        p99[f[0]] = Number(f[iP99]);
        rps[f[0]] = Number(f[iRps]);
      }
      res({ start, end, p99, rps });
    });
  });
}

function median(a: number[]): number {
  if (a.length === 0) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Result {
  fillSec: number;
  rssMb: number;
  baseP99: { SET: number; GET: number };
  baseRps: { SET: number; GET: number };
  saveP99: { SET: number; GET: number };
  saveP99Worst: number;
  saveRps: { SET: number; GET: number };
  overlappingRuns: number;
  saveSec: number;
  fileMb: number;
  loadWallSec: number;
  loadLogSec: number;
  emptyStartSec: number;
}

function summary(runs: Run[]): { p99: { SET: number; GET: number }; rps: { SET: number; GET: number }; worst: number } {
  const get = (t: string, f: 'p99' | 'rps'): number[] => runs.map((r) => r[f][t]).filter((x) => Number.isFinite(x));
  return {
    p99: { SET: median(get('SET', 'p99')), GET: median(get('GET', 'p99')) },
    rps: { SET: median(get('SET', 'rps')), GET: median(get('GET', 'rps')) },
    worst: Math.max(...get('SET', 'p99'), ...get('GET', 'p99')),
  };
}

async function measure(kind: Kind): Promise<Result> {
  console.log(`\n== ${kind}: ${KEYS.toLocaleString('en')} keys`);
  const emptyDir = mkdtempSync(join(tmpdir(), `nodis-snapbench-empty-${kind}-`));
  const empty = await start(kind, emptyDir);
  await kill9(empty.proc);
  rmSync(emptyDir, { recursive: true, force: true });

  const dir = mkdtempSync(join(tmpdir(), `nodis-snapbench-${kind}-`));
  try {
    const { proc } = await start(kind, dir);
    const fillMs = await fill(proc.port, KEYS);
    const ctl = await Control.open(proc.port);
    const dbsize = Number(/:(\d+)/.exec(await ctl.call('DBSIZE'))?.[1]);
    if (dbsize !== KEYS) throw new Error(`${kind}: DBSIZE ${dbsize} after loading ${KEYS} keys`);
    const rss = rssMb(proc.child.pid);
    console.log(`  filled in ${(fillMs / 1000).toFixed(1)} s (${Math.round(KEYS / (fillMs / 1000)).toLocaleString('en')} keys/s), RSS ${rss.toFixed(0)} MB`);

    const base: Run[] = [];
    for (let i = 0; i < BASELINE_RUNS; i++) base.push(await benchRun(proc.port));
    const b = summary(base);
    console.log(`  baseline: p99 SET ${b.p99.SET.toFixed(3)} ms GET ${b.p99.GET.toFixed(3)} ms (median of ${base.length} runs of ${RUN_REQUESTS} requests)`);

    // Runs back to back; the save starts once the first run is under way.
    let saving = true;
    const runs: Run[] = [];
    const loop = (async () => {
      while (saving) runs.push(await benchRun(proc.port));
    })();
    await sleep(300);
    const t0 = performance.now();
    const r = await ctl.call('BGSAVE');
    if (!r.startsWith('+Background saving started')) throw new Error(`${kind}: BGSAVE -> ${r}`);
    let info = '';
    for (;;) {
      info = await ctl.call('INFO', 'persistence');
      if (info.includes('rdb_bgsave_in_progress:0')) break;
      await sleep(50);
    }
    const t1 = performance.now();
    saving = false;
    await loop;
    if (!info.includes('rdb_last_bgsave_status:ok')) throw new Error(`${kind}: BGSAVE failed:\n${info}`);
    const during = runs.filter((x) => x.start < t1 && x.end > t0);
    const s = summary(during);
    const fileMb = statSync(join(dir, 'dump.rdb')).size / 1048576;
    console.log(`  BGSAVE: ${((t1 - t0) / 1000).toFixed(2)} s, ${fileMb.toFixed(0)} MB; during it p99 SET ${s.p99.SET.toFixed(3)} ms GET ${s.p99.GET.toFixed(3)} ms (median of ${during.length} overlapping runs, worst ${s.worst.toFixed(3)} ms)`);
    ctl.close();
    await kill9(proc);

    const again = await start(kind, dir);
    const logSec = Number(/DB loaded from disk: ([\d.]+) seconds/.exec(again.proc.log())?.[1]);
    const ctl2 = await Control.open(again.proc.port);
    const dbsize2 = Number(/:(\d+)/.exec(await ctl2.call('DBSIZE'))?.[1]);
    ctl2.close();
    await kill9(again.proc);
    if (dbsize2 < KEYS) throw new Error(`${kind}: DBSIZE ${dbsize2} after loading the file`);
    console.log(`  restart on the file: ready after ${(again.readyMs / 1000).toFixed(2)} s (server log: DB loaded in ${logSec} s; empty start ${(empty.readyMs / 1000).toFixed(2)} s), DBSIZE ${dbsize2}`);
    return {
      fillSec: fillMs / 1000,
      rssMb: rss,
      baseP99: b.p99,
      baseRps: b.rps,
      saveP99: s.p99,
      saveP99Worst: s.worst,
      saveRps: s.rps,
      overlappingRuns: during.length,
      saveSec: (t1 - t0) / 1000,
      fileMb,
      loadWallSec: again.readyMs / 1000,
      loadLogSec: logSec,
      emptyStartSec: empty.readyMs / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const c of ['redis-server', 'redis-benchmark']) {
    if (spawnSync(c, ['--version']).status !== 0) {
      console.log(`${c} is not installed: nothing to compare with.`);
      return;
    }
  }
  console.log(`snapshot bench: ${KEYS.toLocaleString('en')} keys, redis-benchmark -c 50 -t set,get -r ${KEYS} -n ${RUN_REQUESTS} per run; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const n = await measure('nodis');
  const r = await measure('redis');
  const rows: [string, number, number, number][] = [
    ['fill, pipelined SETs (s)', n.fillSec, r.fillSec, 1],
    ['RSS after fill (MB)', n.rssMb, r.rssMb, 0],
    ['baseline p99 SET (ms)', n.baseP99.SET, r.baseP99.SET, 3],
    ['baseline p99 GET (ms)', n.baseP99.GET, r.baseP99.GET, 3],
    ['baseline rps SET', n.baseRps.SET, r.baseRps.SET, 0],
    ['baseline rps GET', n.baseRps.GET, r.baseRps.GET, 0],
    ['p99 SET during BGSAVE (ms)', n.saveP99.SET, r.saveP99.SET, 3],
    ['p99 GET during BGSAVE (ms)', n.saveP99.GET, r.saveP99.GET, 3],
    ['worst run p99 during BGSAVE (ms)', n.saveP99Worst, r.saveP99Worst, 3],
    ['rps SET during BGSAVE', n.saveRps.SET, r.saveRps.SET, 0],
    ['rps GET during BGSAVE', n.saveRps.GET, r.saveRps.GET, 0],
    ['runs overlapping the save', n.overlappingRuns, r.overlappingRuns, 0],
    ['BGSAVE duration (s)', n.saveSec, r.saveSec, 2],
    ['dump.rdb size (MB)', n.fileMb, r.fileMb, 0],
    ['restart on file until ready (s)', n.loadWallSec, r.loadWallSec, 2],
    ['  "DB loaded from disk" (s)', n.loadLogSec, r.loadLogSec, 3],
    ['  empty start-up (s)', n.emptyStartSec, r.emptyStartSec, 2],
  ];
  console.log(`\n${'metric'.padEnd(36)}${'nodis'.padStart(12)}${'redis'.padStart(12)}${'nodis/redis'.padStart(13)}`);
  for (const [name, a, b, d] of rows) console.log(`${name.padEnd(36)}${a.toFixed(d).padStart(12)}${b.toFixed(d).padStart(12)}${(b === 0 ? '-' : (a / b).toFixed(2)).padStart(13)}`);
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
