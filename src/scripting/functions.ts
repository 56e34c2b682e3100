/*
 * Function libraries (FUNCTION LOAD / FCALL): parsing the `#!lua name=...`
 * header, running the library code once with redis.register_function, and
 * the registry of libraries and functions. Libraries are kept as their code;
 * FUNCTION DUMP and RDB files store that code (RDB opcode FUNCTION2).
 */

import { LuaError, LuaInterrupt, LuaTable, type LuaFunction, type LuaValue } from './lua';
import { getHost, setFlag, type ScriptFlags, type ScriptingHost } from './host';
import type { Server } from '../server/server';

export interface FunctionDef {
  name: string;
  fn: LuaFunction;
  flags: ScriptFlags;
  /** Flag names as declared, in Redis's listing order. */
  flagNames: string[];
  description: string | null;
  lib: Library;
}

export interface Library {
  name: string;
  code: string;
  functions: Map<string, FunctionDef>;
}

/** Function names are case-insensitive (FCALL TEST finds 'test'); values keep the declared name. */
class CaseInsensitiveMap<V> extends Map<string, V> {
  override get(k: string): V | undefined {
    return super.get(k.toLowerCase());
  }
  override has(k: string): boolean {
    return super.has(k.toLowerCase());
  }
  override set(k: string, v: V): this {
    return super.set(k.toLowerCase(), v);
  }
  override delete(k: string): boolean {
    return super.delete(k.toLowerCase());
  }
}

export class FunctionRegistry {
  readonly libraries = new Map<string, Library>();
  readonly functions: Map<string, FunctionDef> = new CaseInsensitiveMap<FunctionDef>();
  /** Library being loaded (redis.register_function adds to it). */
  private loading: Library | null = null;
  private loadRedis: LuaTable;
  /** Globals seen while a library loads: only redis (and server); anything else is a nonexistent global. */
  private loadGlobals: LuaTable;

  constructor(readonly host: ScriptingHost) {
    const eng = host.fnEngine;
    // The `redis` table seen by library code while it loads: register_function, log and constants.
    const runtimeRedis = host.redisTables.get(eng) as LuaTable;
    const lr = new LuaTable();
    for (const k of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM', 'setresp']) {
      lr.set(k, runtimeRedis.get(k));
    }
    lr.set('register_function', ((...a: LuaValue[]) => this.registerFunction(a)) as LuaFunction);
    const mt = new LuaTable();
    mt.set('__index', ((_t: LuaValue, k: LuaValue) => {
      throw new LuaError("Script attempted to access nonexistent global variable '" + eng.tostring(k) + "'");
    }) as LuaFunction);
    mt.set('__newindex', (() => {
      throw new LuaError('Attempt to modify a readonly table');
    }) as LuaFunction);
    lr.mt = mt;
    lr.set('setresp', undefined);
    this.loadRedis = lr;
    const lg = new LuaTable();
    lg.set('redis', lr);
    lg.set('server', lr);
    lg.mt = mt;
    this.loadGlobals = lg;
  }

  private registerFunction(a: LuaValue[]): LuaValue {
    const eng = this.host.fnEngine;
    const lib = this.loading;
    if (lib === null) throw new LuaError('redis.register_function can only be called on FUNCTION LOAD command');
    let name: LuaValue;
    let callback: LuaValue;
    let flagsT: LuaValue;
    let description: LuaValue;
    if (a.length === 1) {
      const t = a[0];
      if (!(t instanceof LuaTable)) {
        throw new LuaError('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      let k: LuaValue = undefined;
      for (;;) {
        k = t.next(k);
        if (k === undefined) break;
        const v = t.nextValue;
        if (k === 'function_name') {
          if (typeof v !== 'string' && typeof v !== 'number') throw new LuaError('function_name argument given to redis.register_function must be a string');
          name = typeof v === 'number' ? eng.tostring(v) : v;
        } else if (k === 'description') {
          if (typeof v !== 'string') throw new LuaError('description argument given to redis.register_function must be a string');
          description = v;
        } else if (k === 'callback') {
          if (typeof v !== 'function') throw new LuaError('callback argument given to redis.register_function must be a function');
          callback = v;
        } else if (k === 'flags') {
          if (!(v instanceof LuaTable)) throw new LuaError('flags argument to redis.register_function must be a table representing function flags');
          flagsT = v;
        } else throw new LuaError('unknown argument given to redis.register_function');
      }
      if (name === undefined) throw new LuaError('redis.register_function must get a function name argument');
      if (callback === undefined) throw new LuaError('redis.register_function must get a callback argument');
    } else if (a.length === 2) {
      if (typeof a[0] !== 'string' && typeof a[0] !== 'number') throw new LuaError('first argument to redis.register_function must be a string');
      if (typeof a[1] !== 'function') throw new LuaError('second argument to redis.register_function must be a function');
      name = typeof a[0] === 'number' ? eng.tostring(a[0]) : a[0];
      callback = a[1];
    } else throw new LuaError('wrong number of arguments to redis.register_function');
    const flags: ScriptFlags = { compat: false, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
    const declared = new Set<string>();
    if (flagsT instanceof LuaTable) {
      const n = flagsT.length();
      for (let i = 1; i <= n; i++) {
        const f = flagsT.get(i);
        if (typeof f !== 'string' || !setFlag(flags, f)) throw new LuaError('unknown flag given');
        declared.add(f);
      }
    }
    const fname = name as string;
    if (!validName(fname)) throw new LuaError('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
    if (lib.functions.has(fname)) throw new LuaError('Function already exists in the library');
    const flagNames = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'].filter((f) => declared.has(f));
    lib.functions.set(fname, { name: fname, fn: callback as LuaFunction, flags, flagNames, description: typeof description === 'string' ? description : null, lib });
    return undefined;
  }

  /**
   * Create a library from its code (FUNCTION LOAD, RESTORE, RDB). Returns the
   * library or an error text (without the ERR code).
   */
  create(code: string, replace: boolean, pending?: Map<string, Library>): Library | string {
    if (!code.startsWith('#!')) return 'Missing library metadata';
    const nl = code.indexOf('\n');
    const first = nl < 0 ? code.slice(2) : code.slice(2, nl);
    const parts = splitHeader(first);
    if (parts === null) return 'Invalid library metadata';
    const engine = parts[0] ?? '';
    if (engine.toLowerCase() !== 'lua' || first.startsWith(' ')) return `Engine '${first.startsWith(' ') ? '' : engine}' not found`;
    let name: string | null = null;
    for (let i = 1; i < parts.length; i++) {
      const p = parts[i];
      const eq = p.indexOf('=');
      if (eq < 0) return `Invalid metadata value given: ${p}`;
      const k = p.slice(0, eq);
      if (k === 'name') {
        if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
        name = p.slice(eq + 1);
      } else return `Invalid metadata value given: ${p}`;
    }
    if (name === null) return 'Library name was not given';
    if (!validName(name)) return 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
    const existing = this.libraries.get(name) ?? pending?.get(name);
    if (existing !== undefined && !replace) return `Library '${name}' already exists`;
    const host = this.host;
    const eng = host.fnEngine;
    let fn: LuaFunction;
    try {
      fn = eng.compile(nl < 0 ? '' : code.slice(nl), '@user_function');
    } catch (e) {
      return `Error compiling function: ${e instanceof LuaError ? eng.tostring(e.value) : String(e)}`;
    }
    const lib: Library = { name, code, functions: new Map() };
    // The globals table is an empty proxy whose __index is the real globals: point it at the load-time globals.
    const gmt = eng.G.mt as LuaTable;
    const savedIndex = gmt.get('__index');
    gmt.set('__index', this.loadGlobals);
    this.loading = lib;
    eng.setDeadline(500);
    let err: string | null = null;
    try {
      eng.call(fn);
    } catch (e) {
      if (e instanceof LuaInterrupt) err = 'FUNCTION LOAD timeout';
      else if (e instanceof LuaError) {
        const v = e.value;
        err = v instanceof LuaTable ? eng.tostring(v.get('err')) : 'ERR ' + eng.tostring(v);
      } else err = String(e);
    } finally {
      this.loading = null;
      eng.clearDeadline();
      gmt.set('__index', savedIndex);
    }
    if (err !== null) return `Error registering functions: ${err}`;
    if (lib.functions.size === 0) return 'No functions registered';
    for (const f of lib.functions.keys()) {
      // FUNCTION RESTORE (pending given) checks collisions with the registry itself, by its policy.
      const other = pending === undefined ? this.functions.get(f) : undefined;
      if (other !== undefined && other.lib.name !== name) return `Function ${f} already exists`;
      if (pending !== undefined) {
        for (const pl of pending.values()) if (pl.name !== name && pl.functions.has(f)) return `Function ${f} already exists`;
      }
    }
    return lib;
  }

  /** Install a created library (replacing one with the same name). */
  install(lib: Library): void {
    this.remove(lib.name);
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions.values()) this.functions.set(f.name, f);
  }

  remove(name: string): boolean {
    const old = this.libraries.get(name);
    if (old === undefined) return false;
    for (const f of old.functions.keys()) this.functions.delete(f);
    this.libraries.delete(name);
    return true;
  }

  flush(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  codes(): string[] {
    return [...this.libraries.values()].map((l) => l.code);
  }

  memory(): number {
    let n = 0;
    for (const l of this.libraries.values()) n += l.code.length + 64 * l.functions.size;
    return n;
  }
}

/**
 * Split the library header line into words: blanks separate words, and double
 * quotes (with backslash escapes) or single quotes group characters, so
 * `name="foo"` is `name=foo`. Null when a quote is left open or a closing
 * quote is followed by something other than a blank.
 */
function splitHeader(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const blank = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
  for (;;) {
    while (i < n && blank(line[i])) i++;
    if (i >= n) return out;
    let word = '';
    while (i < n && !blank(line[i])) {
      const ch = line[i];
      if (ch === '"' || ch === "'") {
        i++;
        let closed = false;
        while (i < n) {
          const q = line[i];
          if (q === ch) {
            closed = true;
            i++;
            break;
          }
          if (q === '\\' && i + 1 < n) {
            const e = line[i + 1];
            if (ch === "'") {
              if (e === "'") {
                word += e;
                i += 2;
                continue;
              }
            } else if (e === 'x' && i + 3 < n && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
              word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
              i += 4;
              continue;
            } else {
              word += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
              i += 2;
              continue;
            }
          }
          word += q;
          i++;
        }
        if (!closed || (i < n && !blank(line[i]))) return null;
      } else {
        word += ch;
        i++;
      }
    }
    out.push(word);
  }
}

function validName(s: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(s);
}

export function getFunctions(server: Server): FunctionRegistry {
  const host = getHost(server);
  let r = host.fnState as FunctionRegistry | null;
  if (r === null) {
    r = new FunctionRegistry(host);
    host.fnState = r;
  }
  return r;
}
