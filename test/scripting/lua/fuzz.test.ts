// Fuzz: 1,000 random and mutated scripts (seeded, repeatable) must each produce a result or a Lua
// error — never a hang past the deadline, an uncaught JS exception, or a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES } from './corpus';
import { LuaEngine, LuaError, LuaInterrupt } from '../../../src/scripting/lua';
import { mulberry32 as rng } from '../../prng';


const TOKENS = [
  'local', 'function', 'end', 'if', 'then', 'else', 'elseif', 'while', 'do', 'for', 'in', 'repeat', 'until', 'return', 'break',
  'and', 'or', 'not', 'nil', 'true', 'false', '...', '..', '=', '==', '~=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^', '#',
  '(', ')', '{', '}', '[', ']', ';', ':', ',', '.', 'x', 'y', 't', 'f', '1', '0', '2^53', '"s"', "'q'", '[[long]]', 'print', 'pcall',
  'error', 'setmetatable', 'string.rep', 'string.gsub', 'table.sort', 'tostring', 'select', 'unpack', '\n', ' ', '--c\n', '"%"',
  '("x"):rep(1e3)', 'coroutine', 'loadstring', 'cjson.decode', '1e308', '0/0', 'math.huge', '{}', '"\\0"',
  '\nwhile true do end\n', '\nrepeat local z = {} until false\n', '\nlocal function r() return r() end r()\n',
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const n = r() < 0.6 ? 1 : 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 7);
    if (op >= 4) {
      // semantic mutation keeping syntax: swap a digit / operator / library name
      const classes = ['0123456789', '+-*/%^', '<>', 'tsxyf'];
      const cls = classes[op - 4 + (r() < 0.3 ? 1 : 0)] ?? classes[0];
      const idx: number[] = [];
      for (let i = 0; i < s.length; i++) if (cls.includes(s[i])) idx.push(i);
      if (idx.length) {
        const at = idx[Math.floor(r() * idx.length)];
        s = s.slice(0, at) + cls[Math.floor(r() * cls.length)] + s.slice(at + 1);
      }
      continue;
    }
    if (op === 0) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 5));
    else if (op === 1) s = s.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + ' ' + s.slice(pos);
    else if (op === 2) {
      const a = Math.floor(r() * s.length), b = Math.floor(r() * s.length);
      s = s.slice(0, pos) + s.slice(Math.min(a, b), Math.max(a, b)) + s.slice(pos);
    } else s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(pos + 1);
  }
  return s;
}

function randomScript(r: () => number): string {
  const n = 5 + Math.floor(r() * 40);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(TOKENS[Math.floor(r() * TOKENS.length)]);
  return out.join(' ');
}

test('fuzz: 1000 random/mutated scripts', () => {
  const r = rng(12345);
  let results = 0, luaErrors = 0, interrupts = 0;
  const bad: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 1000; i++) {
    const base = CASES[Math.floor(r() * CASES.length)];
    const src =
      i % 50 === 5
        ? base + TOKENS[TOKENS.length - 1 - Math.floor(r() * 3)] // runaway loop / recursion: deadline or stack overflow
        : i % 4 === 3
          ? randomScript(r)
          : mutate(base, r);
    const e = new LuaEngine();
    e.setDeadline(30);
    const start = Date.now();
    try {
      e.run(src, '=fuzz');
      results++;
    } catch (err) {
      if (err instanceof LuaError) luaErrors++;
      else if (err instanceof LuaInterrupt) interrupts++;
      else bad.push(`#${i} ${JSON.stringify(src)}: ${err instanceof Error ? err.stack : String(err)}`);
    }
    if (Date.now() - start > 1500) bad.push(`#${i} took ${Date.now() - start}ms: ${JSON.stringify(src)}`);
  }
  console.log(`fuzz: ${results} results, ${luaErrors} Lua errors, ${interrupts} interrupts, ${bad.length} bad, ${Date.now() - t0}ms`);
  assert.deepEqual(bad, []);
});
