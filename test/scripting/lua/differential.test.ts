import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, EXTRA_CASES } from './corpus';
import { LUA51, refHasExtras, runOurs, runRef } from './harness';
import { setRegexFastPath } from '../../../src/scripting/lua/lib-string';
import { setForceCoroutineMode } from '../../../src/scripting/lua/engine';

function compare(name: string, CASES: string[]): void {
  const ref = runRef(CASES);
  const failures: string[] = [];
  let passed = 0;
  for (let i = 0; i < CASES.length; i++) {
    let ours: string;
    try {
      ours = runOurs(CASES[i]);
    } catch (e) {
      ours = 'JS EXCEPTION: ' + (e instanceof Error ? e.stack : String(e));
    }
    if (ours === ref[i]) passed++;
    else failures.push(`#${i}: ${CASES[i]}\n  expected: ${JSON.stringify(ref[i])}\n  actual:   ${JSON.stringify(ours)}`);
  }
  console.log(`differential ${name}: ${passed}/${CASES.length} cases passed`);
  if (failures.length) console.log(failures.join('\n'));
  assert.equal(failures.length, 0, `${failures.length} differential failures`);
}

test('differential: corpus vs lua5.1', { skip: LUA51 ? false : 'lua5.1 not installed (apt-get install lua5.1)' }, () => {
  compare('core', CASES);
});

test('differential: cjson/bit vs lua5.1 + lua-cjson + lua-bitop', { skip: refHasExtras() ? false : 'lua5.1 with lua-cjson and lua-bitop not installed' }, () => {
  compare('extras', EXTRA_CASES);
});

test('differential: pattern cases through the pattern interpreter (RegExp fast path off)', { skip: LUA51 ? false : 'lua5.1 not installed' }, () => {
  setRegexFastPath(false);
  try {
    compare('patterns-interpreter', CASES.filter((c) => /gsub|find|match|gmatch/.test(c)));
  } finally {
    setRegexFastPath(true);
  }
});

test('differential: whole corpus compiled in coroutine (generator) mode', { skip: LUA51 ? false : 'lua5.1 not installed' }, () => {
  setForceCoroutineMode(true);
  try {
    // deep recursion (5000 levels) exceeds the JS stack in generator mode: a documented limit
    compare('generator-mode', CASES.filter((c) => !c.includes('f(5000)')));
  } finally {
    setForceCoroutineMode(false);
  }
});

// The uncaught form: `lua5.1 -` prints "lua5.1: stdin:LINE: msg" (plus a traceback) on stderr.
// Compare that first line with our error for the same chunk name.
const UNCAUGHT = [
  'error("boom")',
  'local t = nil\nprint(t.x)',
  'x = = 1',
  'local function f()\n  return 1 + nil\nend\nf()',
  'for i = 1, 2 do\n  undefined_function()\nend',
  'error("no position", 0)',
  'local s = "a" .. {}',
  'assert(false, "assert message")',
  'string.rep()',
  'return 1 <',
  'if x then',
  'local t = setmetatable({}, {__index = function(t, k) error("in index: " .. k, 2) end})\nprint(t.foo)',
];

test('differential: uncaught error form vs lua5.1 (stderr first line)', { skip: LUA51 ? false : 'lua5.1 not installed' }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { LuaEngine, LuaError } = await import('../../../src/scripting/lua');
  const { rawToString } = await import('../../../src/scripting/lua/value');
  let passed = 0;
  const failures: string[] = [];
  for (const src of UNCAUGHT) {
    const r = spawnSync(LUA51!, ['-'], { input: src, encoding: 'latin1' });
    const ref = (r.stderr.split('\n')[0] ?? '').replace(/^\S*lua5\.1: /, '');
    let ours = '';
    try {
      new LuaEngine().run(src, '=stdin');
    } catch (e) {
      if (e instanceof LuaError) ours = typeof e.value === 'string' ? e.value : rawToString(e.value);
      else throw e;
    }
    if (ours === ref) passed++;
    else failures.push(`${JSON.stringify(src)}: expected ${JSON.stringify(ref)} got ${JSON.stringify(ours)}`);
  }
  console.log(`differential uncaught: ${passed}/${UNCAUGHT.length} cases passed`);
  assert.deepEqual(failures, []);
});
