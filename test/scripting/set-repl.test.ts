// redis.set_repl: a script's commands go to the AOF, the replicas, both or neither.
// The AOF part is checked against redis-server 7.0 (DEBUG LOADAOF after the script).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodis, startOracle, RawClient, sleep } from '../helpers';

const SCRIPT = `
redis.call('set','a','1')
redis.set_repl(redis.REPL_NONE)
redis.call('set','b','2')
redis.set_repl(redis.REPL_AOF)
redis.call('set','c','3')
redis.set_repl(redis.REPL_REPLICA)
redis.call('set','e','5')
redis.set_repl(redis.REPL_ALL)
redis.call('set','d','4')
`;

test('set_repl: each target gets only the commands meant for it', async () => {
  const srv = await startNodis({ quiet: true });
  const aof: string[][] = [];
  const replicas: string[][] = [];
  const hooks = srv.server.propagateHooks;
  const toAof = Object.assign((_db: number, args: string[]) => void aof.push(args), { propagateTarget: 1 });
  const toReplicas = Object.assign((_db: number, args: string[]) => void replicas.push(args), { propagateTarget: 2 });
  hooks.push(toAof, toReplicas);
  const c = await RawClient.connect(srv.port);
  try {
    assert.equal(await c.call('EVAL', SCRIPT, '0'), '$-1\r\n');
  } finally {
    hooks.splice(hooks.indexOf(toAof), 2);
    c.close();
    await srv.close();
  }
  assert.deepEqual(aof, [['MULTI'], ['set', 'a', '1'], ['set', 'c', '3'], ['set', 'd', '4'], ['EXEC']]);
  assert.deepEqual(replicas, [['MULTI'], ['set', 'a', '1'], ['set', 'e', '5'], ['set', 'd', '4'], ['EXEC']]);
});

async function afterAofReload(port: number): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    assert.equal(await c.call('EVAL', SCRIPT, '0'), '$-1\r\n');
    assert.equal(await c.call('MGET', 'a', 'b', 'c', 'd', 'e'), '*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n');
    assert.equal(await c.call('DEBUG', 'LOADAOF'), '+OK\r\n');
    return await c.call('MGET', 'a', 'b', 'c', 'd', 'e');
  } finally {
    c.close();
  }
}

test('set_repl: after DEBUG LOADAOF only what went to the AOF is there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-setrepl-'));
  const srv = await startNodis({ quiet: true, dir });
  const want = '*5\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n$1\r\n4\r\n$-1\r\n';
  try {
    // (an embedded server starts its AOF when told so at run time)
    const c = await RawClient.connect(srv.port);
    assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), '+OK\r\n');
    for (let i = 0; i < 100 && !/aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0/.test(await c.call('INFO', 'persistence')); i++) await sleep(50);
    c.close();
    assert.equal(await afterAofReload(srv.port), want);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const oracle = await startOracle(['--appendonly', 'yes']);
  if (oracle !== null) {
    try {
      await sleep(300);
      assert.equal(await afterAofReload(oracle.port), want);
    } finally {
      await oracle.close();
    }
  }
});
