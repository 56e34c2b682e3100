// Every library function Redis exposes exists, and the differential corpus exercises each one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, EXTRA_CASES } from './corpus';
import { LuaEngine, LuaTable } from '../../../src/scripting/lua';

const LIBS: Record<string, string[]> = {
  _G: ['assert', 'error', 'getmetatable', 'setmetatable', 'ipairs', 'pairs', 'next', 'pcall', 'xpcall', 'rawequal', 'rawget', 'rawset',
    'select', 'tonumber', 'tostring', 'type', 'unpack', 'loadstring', 'load', 'getfenv', 'setfenv', 'gcinfo', 'collectgarbage', 'print', 'newproxy'],
  string: ['byte', 'char', 'find', 'format', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper', 'gfind'],
  table: ['concat', 'insert', 'maxn', 'remove', 'sort', 'getn', 'foreach', 'foreachi', 'setn'],
  math: ['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'cos', 'cosh', 'deg', 'exp', 'floor', 'fmod', 'frexp', 'ldexp', 'log', 'log10',
    'max', 'min', 'modf', 'pow', 'rad', 'random', 'randomseed', 'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'mod'],
  os: ['clock'],
  coroutine: ['create', 'resume', 'yield', 'status', 'wrap', 'running'],
  cjson: ['encode', 'decode'],
  bit: ['tobit', 'tohex', 'bnot', 'band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift', 'rol', 'ror', 'bswap'],
  cmsgpack: ['pack', 'unpack'],
  struct: ['pack', 'unpack', 'size'],
};
const DIFFERENTIAL = new Set(['_G', 'string', 'table', 'math', 'os', 'coroutine', 'cjson', 'bit']);

test('all library functions exist and the differential corpus uses each', () => {
  const e = new LuaEngine();
  const corpus = CASES.concat(EXTRA_CASES).join('\n');
  const unused: string[] = [];
  let count = 0;
  for (const [lib, names] of Object.entries(LIBS)) {
    const t = lib === '_G' ? e.G : e.G.get(lib);
    assert.ok(t instanceof LuaTable, lib);
    for (const n of names) {
      assert.equal(typeof t.get(n), 'function', `${lib}.${n}`);
      count++;
      if (!DIFFERENTIAL.has(lib)) continue;
      const used = lib === '_G' ? new RegExp('\\b' + n + '\\b').test(corpus) : corpus.includes(lib + '.' + n) || corpus.includes(':' + n + '(');
      if (!used) unused.push(`${lib}.${n}`);
    }
  }
  for (const v of ['pi', 'huge']) assert.equal(typeof (e.G.get('math') as LuaTable).get(v), 'number');
  assert.equal(typeof (e.G.get('cjson') as LuaTable).get('null'), 'object');
  console.log(`library functions: ${count}; not covered by the differential corpus: ${unused.length ? unused.join(', ') : 'none'}`);
  assert.deepEqual(unused, []);
});
