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
