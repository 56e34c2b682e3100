/*
 * Helpers for persistence tests: a real redis-server in a directory of our
 * choosing, a tiny RESP decoder, and a canonical dump of a server's contents
 * (per db, per key: type, value in a comparable form, whether it has a TTL).
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, encodeCommand } from '../helpers';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `nodis-${tag}-`));
}

export function haveRedis(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

let seq = 0;

/** Children still running when the test file ends are killed (a failed test must not hang the run). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
function track(c: ChildProcess): ChildProcess {
  live.add(c);
  c.once('exit', () => live.delete(c));
  return c;
}

/** Things to close after each test (register with `later`, run with `runCleanups` in afterEach). */
const cleanups: (() => Promise<void> | void)[] = [];
export function later<T extends { close(): Promise<void> | void }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}
export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    try {
      await (cleanups.pop() as () => Promise<void> | void)();
    } catch {
      /* already closed */
    }
  }
}

export interface Proc {
  port: number;
  child: ChildProcess;
  close(): Promise<void>;
}

async function waitUp(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error('server exited');
    try {
      const c = await RawClient.connect(port);
      const r = await c.call('PING');
      c.close();
      if (r === '+PONG\r\n') return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('server did not start');
}

function freePort(): number {
  return 21000 + ((process.pid * 11 + seq++ * 7) % 8000);
}

/** redis-server 7.0 with `dir`, no save points unless given. */
export async function startRedis(dir: string, extra: string[] = []): Promise<Proc> {
  const port = freePort();
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes', ...extra], { stdio: 'ignore' }));
  await waitUp(port, child);
  return { port, child, close: () => stop(child) };
}

/** bin/nodis-server as a separate process (for restart tests). */
export async function startNodisProcess(dir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Proc & { log: () => string }> {
  const port = freePort();
  let out = '';
  const bin = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');
  const child = track(spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await waitUp(port, child);
  return { port, child, close: () => stop(child), log: () => out };
}

/** Run bin/nodis-server until it exits; resolves with its exit code and output. */
export function runNodisUntilExit(dir: string, extra: string[] = [], timeoutMs = 5000): Promise<{ code: number | null; log: string }> {
  const port = freePort();
  const bin = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');
  return new Promise((res) => {
    let out = '';
    const child = track(spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      res({ code, log: out });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

export type Resp = string | number | null | Resp[];

/** Decode one RESP2 reply. */
export function decode(raw: string): Resp {
  let p = 0;
  const line = (): string => {
    const e = raw.indexOf('\r\n', p);
    const l = raw.slice(p, e);
    p = e + 2;
    return l;
  };
  const one = (): Resp => {
    const t = raw[p++];
    const l = line();
    switch (t) {
      case '+':
        return l;
      case '-':
        return 'ERR:' + l;
      case ':':
        return Number(l);
      case '$': {
        const n = Number(l);
        if (n < 0) return null;
        const s = raw.slice(p, p + n);
        p += n + 2;
        return s;
      }
      case '*': {
        const n = Number(l);
        if (n < 0) return null;
        const a: Resp[] = [];
        for (let i = 0; i < n; i++) a.push(one());
        return a;
      }
      default:
        throw new Error('bad reply ' + raw);
    }
  };
  return one();
}

export async function cmd(c: RawClient, ...args: string[]): Promise<Resp> {
  return decode(await c.call(...args));
}

/** Send many commands pipelined, return the decoded replies. */
export async function pipeline(c: RawClient, cmds: string[][]): Promise<Resp[]> {
  c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: Resp[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(decode(await c.read()));
  return out;
}

/** A canonical description of every key of every db (sorted), comparable across servers. */
export async function contents(port: number, dbs = 16): Promise<string> {
  const c = await RawClient.connect(port);
  const out: string[] = [];
  for (let db = 0; db < dbs; db++) {
    await cmd(c, 'SELECT', String(db));
    const keys = ((await cmd(c, 'KEYS', '*')) as string[]).sort();
    if (keys.length === 0) continue;
    const types = (await pipeline(c, keys.map((k) => ['TYPE', k]))) as string[];
    const ttls = (await pipeline(c, keys.map((k) => ['PTTL', k]))) as number[];
    const simple: string[][] = [];
    keys.forEach((k, i) => {
      const t = types[i];
      if (t === 'string') simple.push(['GET', k]);
      else if (t === 'hash') simple.push(['HGETALL', k]);
      else if (t === 'set') simple.push(['SMEMBERS', k]);
      else if (t === 'list') simple.push(['LRANGE', k, '0', '-1']);
      else if (t === 'zset') simple.push(['ZRANGE', k, '0', '-1', 'WITHSCORES']);
      else simple.push(['TYPE', k]);
    });
    const vals = await pipeline(c, simple);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const type = types[i];
      let v: Resp = vals[i];
      switch (type) {
        case 'hash': {
          const a = v as string[];
          const pairs: string[] = [];
          for (let j = 0; j < a.length; j += 2) pairs.push(`${a[j]}=${a[j + 1]}`);
          v = pairs.sort();
          break;
        }
        case 'set':
          v = (v as string[]).sort();
          break;
        case 'zset':
          // Scores normalised: Redis 7.0 prints %.17g, 7.2 the shortest form.
          v = (v as string[]).map((x, j) => (j % 2 ? String(Number(x)) : x));
          break;
        case 'stream': {
          const parts: Resp[] = [await cmd(c, 'XRANGE', k, '-', '+'), await cmd(c, 'XLEN', k)];
          const info = (await cmd(c, 'XINFO', 'STREAM', k)) as Resp[];
          for (let j = 0; j < info.length; j += 2) if (['last-generated-id', 'max-deleted-entry-id', 'entries-added', 'length'].includes(info[j] as string)) parts.push(info[j], info[j + 1]);
          for (const g of (await cmd(c, 'XINFO', 'GROUPS', k)) as Resp[][]) {
            const gi: Resp[] = [];
            for (let j = 0; j < g.length; j += 2) if (['name', 'pending', 'last-delivered-id', 'entries-read', 'consumers'].includes(g[j] as string)) gi.push(g[j], g[j + 1]);
            const pend = (await cmd(c, 'XPENDING', k, g[1] as string, '-', '+', '1000')) as Resp[][];
            gi.push(pend.map((e) => [e[0], e[1], e[3]]));
            const cons = (await cmd(c, 'XINFO', 'CONSUMERS', k, g[1] as string)) as Resp[][];
            gi.push(cons.map((x) => [x[1], x[3]]));
            parts.push(gi);
          }
          v = parts;
          break;
        }
        default:
          break;
      }
      const ttl = ttls[i];
      out.push(JSON.stringify([db, k, type, v, ttl > 0 ? 'ttl' : ttl]));
    }
  }
  c.close();
  return out.join('\n');
}

/** Compare two contents() dumps, reporting the first differing key briefly. */
export function sameContents(actual: string, expected: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) {
      const cut = (s: string | undefined) => (s === undefined ? '(none)' : s.length > 400 ? s.slice(0, 400) + '...' : s);
      throw new Error(`contents differ at line ${i}:\n  actual:   ${cut(a[i])}\n  expected: ${cut(e[i])}`);
    }
  }
}
