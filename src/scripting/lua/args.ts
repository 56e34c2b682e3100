// Argument checking for native functions with lauxlib's error texts.
import { Runtime } from './runtime';
import { LuaTable, LuaValue, numberToString, str2number, typeName } from './value';

/** luaL_argerror: the function name and argument shift come from the call site (5.1 debug info). */
export function argError(R: Runtime, i: number, msg: string): never {
  let name = '?';
  const cs = R.cs;
  if (cs !== null) {
    const d = cs.d1;
    const q = d.indexOf("'");
    if (q >= 0) name = d.slice(q + 1, d.length - 1);
    if (d.startsWith('method')) {
      i--;
      if (i === 0) R.error("calling '" + name + "' on bad self (" + msg + ')');
    }
  }
  R.error('bad argument #' + i + " to '" + name + "' (" + msg + ')');
}

export function typeError(R: Runtime, i: number, expected: string, v: LuaValue, nargs: number): never {
  const got = i > nargs ? 'no value' : typeName(v);
  argError(R, i, expected + ' expected, got ' + got);
}

export function checkNumber(R: Runtime, v: LuaValue, i: number, nargs: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = str2number(v);
    if (n !== undefined) return n;
  }
  typeError(R, i, 'number', v, nargs);
}

export function optNumber(R: Runtime, v: LuaValue, i: number, nargs: number, def: number): number {
  if (v === undefined) return def;
  return checkNumber(R, v, i, nargs);
}

/** luaL_checkinteger: truncation toward zero (x86-64 cast). */
export function toInteger(n: number): number {
  if (n !== n) return -9223372036854775808;
  if (n >= 9223372036854775807 || n < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(n);
}

export function checkInt(R: Runtime, v: LuaValue, i: number, nargs: number): number {
  if (typeof v === 'number') return toInteger(v);
  return toInteger(checkNumber(R, v, i, nargs));
}

export function optInt(R: Runtime, v: LuaValue, i: number, nargs: number, def: number): number {
  if (v === undefined) return def;
  return checkInt(R, v, i, nargs);
}

export function checkString(R: Runtime, v: LuaValue, i: number, nargs: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  typeError(R, i, 'string', v, nargs);
}

export function optString(R: Runtime, v: LuaValue, i: number, nargs: number, def: string): string {
  if (v === undefined) return def;
  return checkString(R, v, i, nargs);
}

export function checkTable(R: Runtime, v: LuaValue, i: number, nargs: number): LuaTable {
  if (v instanceof LuaTable) return v;
  typeError(R, i, 'table', v, nargs);
}

export function checkAny(R: Runtime, i: number, nargs: number): void {
  if (i > nargs) argError(R, i, 'value expected');
}
