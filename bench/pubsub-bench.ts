/*
 * Pub/sub fan-out, Nodis next to redis-server in one run (part of `npm run bench`).
 *
 * 1,000 subscribers on one channel and 100 on a pattern that matches it, one
 * publisher sending MESSAGES messages of PAYLOAD bytes with a few PUBLISHes
 * in flight. Reported: messages delivered per second (every subscriber's
 * copy counts), from the first PUBLISH to the last byte received by the
 * subscribers.
 *
 * Subscribers count bytes, not replies: each delivered message has a known
 * size, so the total expected is exact and no RESP parsing in the bench
 * process competes with the servers for the CPU.
 *
 * Environment: FANOUT_MESSAGES (default 3000), FANOUT_PAYLOAD (default 64),
 * FANOUT_SUBSCRIBERS (default 1000), FANOUT_PATTERNS (default 100).
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { freePort, waitPort } from './util';

const MESSAGES = Number(process.env.FANOUT_MESSAGES ?? 3000);
const PAYLOAD = Number(process.env.FANOUT_PAYLOAD ?? 64);
const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 1000);
const PATTERNS = Number(process.env.FANOUT_PATTERNS ?? 100);
const IN_FLIGHT = 4;
const CHANNEL = 'news.fanout';
const PATTERN = 'news.*';

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

function cmd(...args: string[]): string {
  return `*${args.length}\r\n${args.map(bulk).join('')}`;
}

interface Counter {
  bytes: number;
  onProgress: (() => void) | null;
}

/** A connection that sends `first`, waits for `ackBytes` bytes of reply, then counts what it receives. */
async function subscriber(port: number, first: string, ackBytes: number, total: Counter): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((res, rej) => {
    sock.once('connect', () => res());
    sock.once('error', rej);
  });
  let acked = 0;
  await new Promise<void>((res) => {
    sock.on('data', (d: Buffer) => {
      if (acked < ackBytes) {
        const take = Math.min(ackBytes - acked, d.length);
        acked += take;
        if (acked === ackBytes) res();
        if (take === d.length) return;
        total.bytes += d.length - take;
      } else total.bytes += d.length;
      total.onProgress?.();
    });
    sock.write(first);
  });
  return sock;
}

async function fanout(port: number): Promise<{ perSec: number; ms: number }> {
  const payload = 'm'.repeat(PAYLOAD);
  const subAck = Buffer.byteLength(`*3\r\n${bulk('subscribe')}${bulk(CHANNEL)}:1\r\n`);
  const psubAck = Buffer.byteLength(`*3\r\n${bulk('psubscribe')}${bulk(PATTERN)}:1\r\n`);
  const msgBytes = Buffer.byteLength(`*3\r\n${bulk('message')}${bulk(CHANNEL)}${bulk(payload)}`);
  const pmsgBytes = Buffer.byteLength(`*4\r\n${bulk('pmessage')}${bulk(PATTERN)}${bulk(CHANNEL)}${bulk(payload)}`);
  const expected = MESSAGES * (SUBSCRIBERS * msgBytes + PATTERNS * pmsgBytes);

  const counter: Counter = { bytes: 0, onProgress: null };
  const socks: net.Socket[] = [];
  // Connect in small groups (the listen backlog and the machine's two cores).
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    const group = [];
    for (let j = i; j < Math.min(SUBSCRIBERS, i + 50); j++) group.push(subscriber(port, cmd('SUBSCRIBE', CHANNEL), subAck, counter));
    socks.push(...(await Promise.all(group)));
  }
  for (let i = 0; i < PATTERNS; i++) socks.push(await subscriber(port, cmd('PSUBSCRIBE', PATTERN), psubAck, counter));

  const pub = net.connect(port, '127.0.0.1');
  pub.setNoDelay(true);
  await new Promise((r) => pub.once('connect', r));
  const publish = cmd('PUBLISH', CHANNEL, payload);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let replied = 0;
    let pending = '';
    let finished = false;
    const check = (): void => {
      if (!finished && replied === MESSAGES && counter.bytes >= expected) {
        finished = true;
        resolve();
      }
    };
    counter.onProgress = check;
    const pump = (): void => {
      let out = '';
      while (sent < MESSAGES && sent - replied < IN_FLIGHT) {
        out += publish;
        sent++;
      }
      if (out) pub.write(out);
    };
    pub.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let i: number;
      while ((i = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        if (line !== `:${SUBSCRIBERS + PATTERNS}`) return reject(new Error(`PUBLISH answered ${line}`));
        replied++;
      }
      pump();
      check();
    });
    pump();
  });
  const ms = performance.now() - t0;
  pub.destroy();
  for (const s of socks) s.destroy();
  return { perSec: (MESSAGES * (SUBSCRIBERS + PATTERNS)) / (ms / 1000), ms };
}

async function runOne(kind: 'nodis' | 'redis', dir: string): Promise<{ perSec: number; ms: number }> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxclients', '10000'];
  const child: ChildProcess = kind === 'nodis' ? spawn(process.execPath, [join(__dirname, '..', 'src', 'cli.js'), ...args], { stdio: 'ignore' }) : spawn('redis-server', args, { stdio: 'ignore' });
  try {
    await waitPort(port);
    return await fanout(port);
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server is needed for the comparison: apt-get install redis-server');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'nodis-fanout-'));
  try {
    console.log(`\npub/sub fan-out: ${SUBSCRIBERS} subscribers on a channel + ${PATTERNS} on a pattern, 1 publisher, ${MESSAGES} messages of ${PAYLOAD} bytes; messages delivered per second`);
    // Alternate the servers so that neither gets the quieter moment.
    const n: number[] = [];
    const r: number[] = [];
    for (let round = 0; round < 2; round++) {
      n.push((await runOne('nodis', dir)).perSec);
      r.push((await runOne('redis', dir)).perSec);
    }
    const best = (xs: number[]): number => Math.max(...xs);
    const fmt = (x: number): string => x.toFixed(0).padStart(10);
    console.log(`${'fan-out'.padEnd(14)} ${'nodis'.padStart(10)} ${'redis'.padStart(10)} ${'ratio'.padStart(7)}`);
    for (let i = 0; i < n.length; i++) console.log(`${`run ${i + 1}`.padEnd(14)} ${fmt(n[i])} ${fmt(r[i])} ${(n[i] / r[i]).toFixed(2).padStart(7)}`);
    console.log(`${'best'.padEnd(14)} ${fmt(best(n))} ${fmt(best(r))} ${(best(n) / best(r)).toFixed(2).padStart(7)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
