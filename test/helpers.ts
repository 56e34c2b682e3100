/*
 * Test helpers: an in-process Nodis server per test file, a raw RESP client
 * that returns reply bytes exactly as sent (for byte-for-byte comparisons),
 * and the real redis-server as an oracle for differential tests.
 */

import * as net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type StartOptions } from '../src/index';

export { startServer };
export type { RunningServer };

/** Start Nodis in-process on a free port. */
export async function startNodis(opts: StartOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, ...opts });
}

/** Encode a command as RESP. */
export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length of one complete RESP reply at buf[pos], or -1 if incomplete. */
export function replyLength(buf: Buffer, pos = 0): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = String.fromCharCode(buf[pos]);
  const head = buf.latin1Slice(pos + 1, nl);
  const after = nl + 2;
  switch (type) {
    case '+': case '-': case ':': case ',': case '#': case '_': case '(':
      return after - pos;
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return after - pos;
      if (buf.length < after + n + 2) return -1;
      return after + n + 2 - pos;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(head);
      if (n < 0) return after - pos;
      if (type === '%' || type === '|') n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        const l = replyLength(buf, p);
        if (l < 0) return -1;
        p += l;
      }
      // An attribute is followed by the real reply.
      if (type === '|') {
        const l = replyLength(buf, p);
        if (l < 0) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      // Not RESP: treat the line as the reply (inline errors from broken peers).
      return after - pos;
  }
}

/** A minimal client that returns raw reply bytes. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = net.connect({ port, host }, () => res(new RawClient(s)));
      s.once('error', rej);
    });
  }

  static connectPath(path: string): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = net.connect({ path }, () => res(new RawClient(s)));
      s.once('error', rej);
    });
  }

  write(data: string | Buffer): void {
    this.sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Read one complete reply (raw bytes as a latin1 string). Rejects on timeout. */
  async read(timeoutMs = 10000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = replyLength(this.buf);
      if (n > 0) {
        const out = this.buf.latin1Slice(0, n);
        this.buf = this.buf.subarray(n);
        return out;
      }
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for reply');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Send one command and read its reply. */
  async call(...args: (string | Buffer)[]): Promise<string> {
    this.write(encodeCommand(args));
    return this.read();
  }

  /** Wait until the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  /** Whatever bytes arrived and were not read yet. */
  pending(): string {
    return this.buf.latin1Slice(0, this.buf.length);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A running real redis-server (the oracle), or null when it is not installed. */
export interface Oracle {
  port: number;
  close(): Promise<void>;
}

export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

let portSeq = 0;

/** Start Debian's redis-server on a free port for differential tests. Null if not installed. */
export async function startOracle(extra: string[] = []): Promise<Oracle | null> {
  if (!haveRedisServer()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'nodis-oracle-'));
  const port = await freePort();
  portSeq++;
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--enable-debug-command', 'yes', ...extra], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RawClient.connect(port);
      // Make sure the server on this port is ours (its dir is our fresh temp dir).
      const r = await c.call('CONFIG', 'GET', 'dir');
      c.close();
      if (r.includes(dir)) break;
      await new Promise((res) => setTimeout(res, 50));
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port that was free a moment ago (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(p));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Send commands pipelined and read one reply each (raw bytes as latin1 strings). */
export async function pipeline(c: RawClient, cmds: (string | Buffer)[][]): Promise<string[]> {
  c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.read());
  return out;
}

/**
 * A Nodis server and, when installed, the real redis-server, with one raw
 * client each, for tests that compare replies byte for byte.
 */
export class ServerPair {
  srv!: RunningServer;
  oracle: Oracle | null = null;
  n!: RawClient;
  r: RawClient | null = null;

  async start(opts: StartOptions = {}): Promise<void> {
    this.srv = await startNodis(opts);
    this.n = await RawClient.connect(this.srv.port);
    this.oracle = await startOracle();
    if (this.oracle !== null) this.r = await RawClient.connect(this.oracle.port);
  }

  async stop(): Promise<void> {
    this.n?.close();
    this.r?.close();
    await this.srv?.close();
    await this.oracle?.close();
  }

  /**
   * Run the commands on both servers; every reply must match byte for byte
   * (except commands for which `skip` is true). Returns Nodis's replies.
   */
  async both(cmds: (string | Buffer)[][], skip: (cmd: (string | Buffer)[]) => boolean = () => false): Promise<string[]> {
    const a = await pipeline(this.n, cmds);
    if (this.r !== null) {
      const b = await pipeline(this.r, cmds);
      for (let i = 0; i < cmds.length; i++) {
        if (skip(cmds[i])) continue;
        if (a[i] !== b[i]) {
          throw new Error(`reply to ${JSON.stringify(cmds[i].map(String))}\n  nodis: ${JSON.stringify(a[i])}\n  redis: ${JSON.stringify(b[i])}`);
        }
      }
    }
    return a;
  }
}
