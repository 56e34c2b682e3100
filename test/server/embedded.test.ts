import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient } from '../helpers';

test('an embedded server starts on a free port, answers and closes', async () => {
  const t0 = Date.now();
  const srv = await startNodis();
  const elapsed = Date.now() - t0;
  assert.ok(srv.port > 0);
  assert.ok(elapsed < 5000, `started in ${elapsed} ms`);
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('SET', 'a', 'b'), '+OK\r\n');
  assert.equal(await c.call('GET', 'a'), '$1\r\nb\r\n');
  c.close();
  await srv.close();
});

test('a manual clock expires keys without sleeping', async () => {
  const srv = await startNodis({ manualClock: true });
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('SET', 'k', 'v', 'EX', '100'), '+OK\r\n');
  assert.equal(await c.call('TTL', 'k'), ':100\r\n');
  srv.clock.advance(99_000);
  assert.equal(await c.call('TTL', 'k'), ':1\r\n');
  srv.clock.advance(1_000);
  assert.equal(await c.call('GET', 'k'), '$-1\r\n');
  assert.equal(await c.call('EXISTS', 'k'), ':0\r\n');
  c.close();
  await srv.close();
});
