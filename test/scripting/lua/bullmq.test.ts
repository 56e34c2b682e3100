// Real-world scripts: every BullMQ Lua command (read from node_modules at test time, not copied)
// must parse and compile. `--- @include "..."` lines are plain comments to Lua.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LuaEngine, LuaError } from '../../../src/scripting/lua';

function findDir(): string | null {
  for (const base of [process.cwd(), join(__dirname, '..', '..', '..', '..')]) {
    const d = join(base, 'node_modules', 'bullmq', 'dist', 'cjs', 'commands');
    if (existsSync(d)) return d;
  }
  return null;
}

function walk(d: string, out: string[]): string[] {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.lua')) out.push(p);
  }
  return out;
}

const dir = findDir();

test('BullMQ scripts compile', { skip: dir ? false : 'bullmq not installed (npm install --save-dev bullmq)' }, () => {
  const files = walk(dir!, []).sort();
  assert.ok(files.length > 30, 'expected many BullMQ scripts, found ' + files.length);
  const failures: string[] = [];
  const eng = new LuaEngine();
  for (const f of files) {
    const src = readFileSync(f, 'latin1');
    try {
      const fn = eng.compile(src, '@' + f.slice(dir!.length + 1));
      assert.equal(typeof fn, 'function');
    } catch (e) {
      failures.push(f + ': ' + (e instanceof LuaError ? e.message : String(e)));
    }
  }
  console.log(`BullMQ: ${files.length - failures.length}/${files.length} scripts compiled`);
  assert.deepEqual(failures, []);
});
