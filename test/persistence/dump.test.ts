/*
 * DUMP / RESTORE: payloads from redis-server 7.0 restore into Nodis and
 * Nodis's payloads restore back into redis-server with the same contents;
 * the error replies of RESTORE.
 */

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient } from '../helpers';
import { setRdbWriteVersion } from '../../src/persistence/manager';
import { cmd, contents, haveRedis, later, pipeline, runCleanups, sameContents, startRedis, tempDir } from './util';
import { fillCommands } from './fill';

afterEach(runCleanups);

test('values DUMPed by redis-server RESTORE into Nodis, and back', { skip: !haveRedis() }, async () => {
  const r = later(await startRedis(tempDir('dump-r')));
  const rc = later(await RawClient.connect(r.port));
  await pipeline(rc, fillCommands(0));
  const expected = await contents(r.port, 1);
  const keys = ((await cmd(rc, 'KEYS', '*')) as string[]).sort();
  const n = later(await startNodis());
  const nc = later(await RawClient.connect(n.port));
  for (const k of keys) {
    const payload = (await cmd(rc, 'DUMP', k)) as string;
    const pttl = (await cmd(rc, 'PTTL', k)) as number;
    assert.equal(await nc.call('RESTORE', k, String(pttl > 0 ? pttl : 0), payload), '+OK\r\n', k);
  }
  sameContents(await contents(n.port, 1), expected);
  // And back: Redis 7.0 accepts payload versions up to 10.
  assert.equal(await rc.call('FLUSHALL'), '+OK\r\n');
  setRdbWriteVersion(10);
  try {
    for (const k of keys) {
      const payload = (await cmd(nc, 'DUMP', k)) as string;
      const pttl = (await cmd(nc, 'PTTL', k)) as number;
      assert.equal(await rc.call('RESTORE', k, String(pttl > 0 ? pttl : 0), payload), '+OK\r\n', k);
    }
  } finally {
    setRdbWriteVersion(11);
  }
  sameContents(await contents(r.port, 1), expected);
});

test('RESTORE errors, REPLACE, ABSTTL, IDLETIME and FREQ', async () => {
  const n = later(await startNodis());
  const c = later(await RawClient.connect(n.port));
  await c.call('SET', 'k', 'hello world');
  const payload = (await cmd(c, 'DUMP', 'k')) as string;
  assert.equal(payload.charCodeAt(payload.length - 10), 11); // RDB version 11
  assert.equal(await c.call('RESTORE', 'k', '0', payload), '-BUSYKEY Target key name already exists.\r\n');
  assert.equal(await c.call('RESTORE', 'k', '0', payload, 'REPLACE'), '+OK\r\n');
  const bad = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1);
  assert.equal(await c.call('RESTORE', 'k2', '0', bad), '-ERR DUMP payload version or checksum are wrong\r\n');
  assert.equal(await c.call('RESTORE', 'k2', '-1', payload), '-ERR Invalid TTL value, must be >= 0\r\n');
  assert.equal(await c.call('RESTORE', 'k2', '0', payload, 'FREQ', '300'), '-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n');
  assert.equal(await c.call('RESTORE', 'k2', '0', payload, 'BOGUS'), '-ERR syntax error\r\n');
  // A payload with a valid trailer but garbage inside.
  const { Crc64 } = await import('../../src/persistence/crc64');
  const body = Buffer.from([0x02, 0xff, 0x01, 0x0b, 0x00]);
  const garbage = Buffer.concat([body, new Crc64().update(body).digestLE()]).toString('latin1');
  assert.equal(await c.call('RESTORE', 'k2', '0', garbage), '-ERR Bad data format\r\n');
  const at = Date.now() + 100000;
  assert.equal(await c.call('RESTORE', 'k3', String(at), payload, 'ABSTTL'), '+OK\r\n');
  assert.equal(await c.call('PEXPIRETIME', 'k3'), `:${at}\r\n`);
  assert.equal(await c.call('RESTORE', 'k4', String(Date.now() - 1000), payload, 'ABSTTL'), '+OK\r\n');
  assert.equal(await c.call('EXISTS', 'k4'), ':0\r\n');
  assert.equal(await c.call('DUMP', 'nokey'), '$-1\r\n');
});
