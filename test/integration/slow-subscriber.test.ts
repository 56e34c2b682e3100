/*
 * A subscriber that never reads, with a publisher pushing 1 GB at it: the
 * server disconnects the subscriber at the pubsub output-buffer limit
 * (client-output-buffer-limit pubsub 32mb 8mb 60, Redis's default), keeps
 * serving, and its memory comes back near where it started.
 *
 * The server runs in its own process (bin/nodis-server) so that its RSS is
 * its own; the test is the publisher and the stalled subscriber.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { readFileSync } from 'node:fs';
import { RawClient, sleep } from '../helpers';
import { later, runCleanups, startNodisProcess, tempDir } from '../persistence/util';

const MB = 1024 * 1024;
const TOTAL = 1024 * MB;
const MESSAGE = MB;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : NaN;
}

/** Publish TOTAL bytes in MESSAGE-sized PUBLISHes, a few in flight; returns the receiver counts. */
function publishAll(port: number): Promise<number[]> {
  const payload = Buffer.alloc(MESSAGE, 'x');
  const header = Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$3\r\nbig\r\n$${MESSAGE}\r\n`);
  const crlf = Buffer.from('\r\n');
  const count = TOTAL / MESSAGE;
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const receivers: number[] = [];
    let sent = 0;
    let pending = '';
    const pump = (): void => {
      while (sent < count && sent - receivers.length < 4) {
        sock.write(header);
        sock.write(payload);
        sock.write(crlf);
        sent++;
      }
    };
    sock.on('connect', pump);
    sock.on('error', reject);
    sock.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let i: number;
      while ((i = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        if (line[0] !== ':') return reject(new Error(`unexpected reply ${line}`));
        receivers.push(Number(line.slice(1)));
      }
      if (receivers.length === count) {
        sock.destroy();
        resolve(receivers);
      } else pump();
    });
  });
}

test('a subscriber that never reads is disconnected at the pubsub limit while 1 GB is published; memory comes back', { timeout: 180_000 }, async () => {
  const dir = tempDir('slowsub');
  // bin/nodis-server, as a user starts it (it sets glibc's mmap threshold, see the script).
  const srv = later(await startNodisProcess(dir, ['--save', '', '--loglevel', 'warning']));
  const { port, child } = srv;
  try {
    const ctl = await RawClient.connect(port);
    // Warm up (first command paths compiled), then the starting figures.
    for (let i = 0; i < 100; i++) await ctl.call('PING');
    await sleep(300);
    const used0 = infoField(await ctl.call('INFO', 'memory'), 'used_memory');
    const rss0 = rssOf(child.pid as number);

    // The subscriber: subscribes, then stops reading for good.
    const sub = net.connect(port, '127.0.0.1');
    await new Promise((r) => sub.once('connect', r));
    sub.write('*2\r\n$9\r\nSUBSCRIBE\r\n$3\r\nbig\r\n');
    await new Promise((r) => sub.once('data', r));
    sub.pause();
    let subClosed = false;
    sub.on('close', () => {
      subClosed = true;
    });
    sub.on('error', () => undefined);

    const receivers = await publishAll(port);
    assert.equal(receivers.length, TOTAL / MESSAGE);
    assert.equal(receivers[0], 1, 'the subscriber received the first message');
    const firstZero = receivers.indexOf(0);
    assert.ok(firstZero > 0, 'the subscriber was dropped');
    assert.ok(receivers.slice(firstZero).every((n) => n === 0), 'and stays dropped');
    // Dropped near the 32 MB hard limit (plus what the kernel's socket buffers took), far before 1 GB.
    assert.ok(firstZero * MESSAGE < 128 * MB, `dropped after ${firstZero} MB`);

    const stats = await ctl.call('INFO', 'stats');
    assert.ok(infoField(stats, 'client_output_buffer_limit_disconnections') >= 1);
    assert.equal(await ctl.call('PUBSUB', 'NUMSUB', 'big'), '*2\r\n$3\r\nbig\r\n:0\r\n');
    assert.equal(await ctl.call('SET', 'still', 'serving'), '+OK\r\n');
    assert.equal(await ctl.call('GET', 'still'), '$7\r\nserving\r\n');

    // Memory back near its start: the dropped output buffer and the published payloads are freed.
    let used1 = 0;
    let rss1 = 0;
    for (let i = 0; i < 50; i++) {
      await sleep(200);
      used1 = infoField(await ctl.call('INFO', 'memory'), 'used_memory');
      rss1 = rssOf(child.pid as number);
      if (used1 <= used0 + 8 * MB && rss1 <= rss0 + 64 * MB) break;
    }
    console.log(`# dropped after ${firstZero} messages of 1 MB; used_memory ${(used0 / MB).toFixed(1)} -> ${(used1 / MB).toFixed(1)} MB; RSS ${(rss0 / MB).toFixed(1)} -> ${(rss1 / MB).toFixed(1)} MB`);
    assert.ok(used1 <= used0 + 8 * MB, `used_memory ${used0} -> ${used1}`);
    assert.ok(rss1 <= rss0 + 64 * MB, `RSS ${rss0} -> ${rss1}`);
    // The server closed the subscriber's connection (seen once we read again).
    sub.resume();
    for (let i = 0; i < 50 && !subClosed; i++) await sleep(100);
    assert.ok(subClosed, 'subscriber connection closed by the server');
    ctl.close();
  } finally {
    await runCleanups();
  }
});
