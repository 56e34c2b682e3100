// Differential test harness: runs Lua programs through our engine (in-process) and through the
// reference lua5.1 (one process for a whole batch), capturing print output per case.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LuaEngine, LuaError, LuaInterrupt } from '../../../src/scripting/lua';
import { rawToString } from '../../../src/scripting/lua/value';

export const LUA51 = ['/usr/bin/lua5.1', '/usr/local/bin/lua5.1'].find((p) => existsSync(p)) ?? null;

/** true if the reference has lua-cjson and lua-bitop (for the extras corpus) */
export function refHasExtras(): boolean {
  if (!LUA51) return false;
  const r = spawnSync(LUA51, ['-e', 'require("cjson") require("bit")'], { encoding: 'latin1' });
  return r.status === 0;
}

export function normalize(s: string): string {
  return s.replace(/(function|table|userdata|thread): (builtin: )?0x[0-9a-f]+/g, '$1: ADDR');
}

export function runOurs(src: string, deadlineMs = 2000): string {
  let out = '';
  const e = new LuaEngine({ print: (l) => (out += l + '\n') });
  // test-only stand-in for io.write (Redis has no io library)
  e.register('io.write', (...a) => {
    for (const v of a) out += typeof v === 'number' ? rawToString(v) : String(v);
    return [];
  });
  let fn;
  try {
    fn = e.compile(src, '=input');
  } catch (err) {
    if (err instanceof LuaError) return normalize(out + 'COMPILE ERROR: ' + rawToString(err.value) + '\n');
    throw err;
  }
  e.setDeadline(deadlineMs);
  try {
    e.call(fn);
  } catch (err) {
    if (err instanceof LuaError) out += 'ERROR: ' + rawToString(err.value) + '\n';
    else if (err instanceof LuaInterrupt) out += 'INTERRUPTED: ' + err.reason + '\n';
    else throw err;
  }
  return normalize(out);
}

const DRIVER = `
local f = assert(io.open(arg[1], "rb")); local data = f:read("*a"); f:close()
local pos = 1
pcall(function() cjson = require("cjson") end)
pcall(function() bit = require("bit") end)
local G0 = {}
for k, v in pairs(_G) do G0[k] = v end
local function mkenv()
  local env = {}
  for k, v in pairs(G0) do env[k] = v end
  for _, lib in ipairs{"string","table","math","os","coroutine"} do
    local c = {} for k, v in pairs(G0[lib]) do c[k] = v end env[lib] = c
  end
  env._G = env
  return env
end
while pos <= #data do
  local nl = data:find("\\n", pos, true)
  local len = tonumber(data:sub(pos, nl - 1))
  local src = data:sub(nl + 1, nl + len)
  pos = nl + len + 1
  io.write("\\1CASE\\n")
  local fn, err = loadstring(src, "=input")
  if not fn then print("COMPILE ERROR: " .. err) else
    setfenv(fn, mkenv())
    local ok, e = pcall(fn)
    if not ok then print("ERROR: " .. tostring(e)) end
  end
end
io.write("\\1CASE\\n")
`;

/** Run all cases in one lua5.1 process; returns outputs (normalized) per case. */
export function runRef(cases: string[]): string[] {
  if (!LUA51) throw new Error('lua5.1 not installed');
  const dir = mkdtempSync(join(tmpdir(), 'luadiff-'));
  try {
    const drv = join(dir, 'driver.lua');
    const data = join(dir, 'cases.bin');
    writeFileSync(drv, DRIVER, 'latin1');
    writeFileSync(data, cases.map((c) => Buffer.byteLength(c, 'latin1') + '\n' + c).join(''), 'latin1');
    const r = spawnSync(LUA51, [drv, data], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024, timeout: 60000 });
    if (r.status !== 0) throw new Error('lua5.1 failed: ' + r.stderr);
    const parts = r.stdout.split('\x01CASE\n');
    // parts[0] is '' (before the first marker); last part after final marker is ''
    return parts.slice(1, cases.length + 1).map(normalize);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
