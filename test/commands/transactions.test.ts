import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, sleep, type RunningServer, type Oracle } from '../helpers';

let srv: RunningServer;
let oracle: Oracle | null = null;

before(async () => {
  srv = await startNodis();
  oracle = await startOracle();
});

after(async () => {
  await srv.close();
  await oracle?.close();
});

async function differential(name: string, scenario: (port: number) => Promise<string[]>): Promise<void> {
  const ours = await scenario(srv.port);
  if (oracle === null) return;
  const theirs = await scenario(oracle.port);
  assert.deepEqual(ours, theirs, `${name}: transcript differs from redis-server`);
}

/** Run commands on one connection and collect the raw replies. */
async function script(port: number, cmds: string[][], proto = '2'): Promise<string[]> {
  const c = await RawClient.connect(port);
  if (proto === '3') await c.call('HELLO', '3');
  const out: string[] = [];
  for (const a of cmds) out.push(await c.call(...a));
  c.close();
  return out;
}

test('MULTI/EXEC/DISCARD replies and errors match Redis (RESP2 and RESP3)', async () => {
  for (const proto of ['2', '3']) {
    await differential(`basics ${proto}`, (port) =>
      script(port, [
        ['FLUSHALL'],
        ['EXEC'],
        ['DISCARD'],
        ['MULTI'],
        ['MULTI'],
        ['WATCH', 'x'],
        ['SET', 'a', '1'],
        ['INCR', 'a'],
        ['LPUSH', 'a', 'x'], // runtime error: no rollback
        ['GET', 'a'],
        ['EXEC'],
        ['MULTI'],
        ['SET', 'b', '1'],
        ['NOSUCHCOMMAND', 'x'],
        ['GET'],
        ['EXEC'],
        ['EXISTS', 'b'],
        ['MULTI'],
        ['SET', 'c', '1'],
        ['DISCARD'],
        ['EXISTS', 'c'],
        ['MULTI'],
        ['EXEC'],
        ['UNWATCH'],
      ], proto),
    );
  }
});

test('WATCH: modified, expired, flushed and swapped keys abort EXEC with a null reply', async () => {
  await differential('watch', async (port) => {
    const c = await RawClient.connect(port);
    const o = await RawClient.connect(port);
    const out: string[] = [];
    const tx = async () => {
      out.push(await c.call('MULTI'));
      out.push(await c.call('PING'));
      out.push(await c.call('EXEC'));
    };
    await c.call('FLUSHALL');
    await c.call('SET', 'x', '1');
    await c.call('WATCH', 'x');
    await o.call('SET', 'x', '2');
    await tx(); // aborted
    await tx(); // no longer watched
    await c.call('WATCH', 'x');
    await c.call('SET', 'x', '3'); // own write counts too
    await tx();
    await c.call('WATCH', 'missing');
    await o.call('FLUSHALL');
    await tx(); // untouched: the key did not exist
    await c.call('SET', 'x', '1');
    await c.call('WATCH', 'x');
    await o.call('FLUSHDB');
    await tx();
    await c.call('SET', 'x', '1');
    await c.call('WATCH', 'x');
    await o.call('EXPIRE', 'x', '100');
    await tx();
    await c.call('SET', 'y', '1');
    await c.call('WATCH', 'y');
    await o.call('RENAME', 'y', 'z');
    await tx();
    await c.call('SET', 'e', '1', 'PX', '300');
    await c.call('WATCH', 'e');
    await sleep(400);
    await tx(); // expired after WATCH (generous times: the machine may be busy)
    await c.call('SET', 's', '1');
    await c.call('WATCH', 's');
    await o.call('SWAPDB', '0', '1');
    await tx();
    await o.call('SWAPDB', '0', '1');
    await c.call('WATCH', 'x');
    await c.call('SELECT', '1');
    await o.call('SELECT', '1');
    await o.call('SET', 'x', '9'); // another db's x
    await tx();
    c.close();
    o.close();
    return out;
  });
});

test('blocking commands inside MULTI do not block', async () => {
  await differential('blocking', (port) =>
    script(port, [['DEL', 'l'], ['MULTI'], ['BLPOP', 'l', '0'], ['BRPOPLPUSH', 'l', 'm', '0'], ['EXEC']]),
  );
});

test('a 50-client optimistic-lock retry loop increments a counter exactly', async () => {
  const N = 50;
  const ROUNDS = 10;
  const setup = await RawClient.connect(srv.port);
  await setup.call('SET', 'counter', '0');
  let retries = 0;
  const worker = async () => {
    const c = await RawClient.connect(srv.port);
    for (let i = 0; i < ROUNDS; i++) {
      for (;;) {
        await c.call('WATCH', 'counter');
        const v = Number((await c.call('GET', 'counter')).split('\r\n')[1]);
        await c.call('MULTI');
        await c.call('SET', 'counter', String(v + 1));
        const r = await c.call('EXEC');
        if (r !== '*-1\r\n') break;
        retries++;
      }
    }
    c.close();
  };
  await Promise.all(Array.from({ length: N }, worker));
  assert.equal(await setup.call('GET', 'counter'), `$3\r\n${N * ROUNDS}\r\n`);
  assert.ok(retries > 0, 'contention produced retries');
  setup.close();
});
