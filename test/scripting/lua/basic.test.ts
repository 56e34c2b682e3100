import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaEngine, LuaError, LuaTable } from '../../../src/scripting/lua';

function run(src: string): { out: string[]; res: unknown[] } {
  const out: string[] = [];
  const e = new LuaEngine({ print: (l) => out.push(l) });
  const res = e.run(src, '=input');
  return { out, res };
}

test('basic arithmetic and returns', () => {
  assert.deepEqual(run('return 1 + 2, "a" .. "b", 10 / 4').res, [3, 'ab', 2.5]);
});

test('print and closures per loop iteration', () => {
  const { out } = run('local fs = {} for i = 1, 3 do fs[i] = function() return i end end print(fs[1](), fs[2](), fs[3]())');
  assert.deepEqual(out, ['1\t2\t3']);
});

test('syntax error message', () => {
  assert.throws(() => run('x = = 1'), (e: unknown) => e instanceof LuaError && e.message === "input:1: unexpected symbol near '='");
});

test('runtime error message', () => {
  assert.throws(
    () => run('local t\nt.x = 1'),
    (e: unknown) => e instanceof LuaError && e.message === "input:2: attempt to index local 't' (a nil value)",
  );
});

test('tables from host', () => {
  const e = new LuaEngine();
  e.setGlobal('KEYS', e.tableFromArray(['a', 'b']));
  const r = e.run('return #KEYS, KEYS[2]', '=input');
  assert.deepEqual(r, [2, 'b']);
  assert.ok(e.newTable() instanceof LuaTable);
});
