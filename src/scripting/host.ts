/*
 * The scripting host: one per server (server.ext.scripting). It owns the Lua
 * engines (one for EVAL scripts, one for function libraries), the script
 * cache, the fake client that runs the commands scripts call, and the state
 * of the running script (for SCRIPT KILL / FUNCTION KILL and -BUSY).
 *
 * Running a script
 *   - The caller's db, user and RESP choice are copied to the fake client;
 *     redis.call checks the command (existence, arity, noscript, writes in
 *     read-only scripts, ACL), runs it with server.execInternal and decodes
 *     the reply bytes into Lua values (convert.ts).
 *   - Effects are collected while the script runs and propagated afterwards:
 *     one command as is, several wrapped in MULTI/EXEC (EVAL itself never).
 *   - Clients blocked on keys the script touched are served after it: the
 *     server serves them after the top-level command only.
 *
 * Long scripts
 *   The engine calls onTick about every thousand loop iterations. Once a
 *   script has run longer than busy-reply-threshold (lua-time-limit), each
 *   tick (at most every few ms) reads the other clients' sockets without
 *   waiting (non-blocking read(2) on their descriptors), parses their
 *   commands and answers them: -BUSY for all but the commands flagged
 *   allow_busy (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...). SCRIPT KILL
 *   asks the engine to interrupt the script (uncatchable by pcall), unless it
 *   already wrote (-UNKILLABLE). New connections wait for the script's end.
 */

import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { Client } from '../server/client';
import type { Server } from '../server/server';
import type { CommandDef } from '../commands/types';
import { noParentHandler } from '../commands/types';
import { REDIS_VERSION } from '../server/config';
import { formatDouble } from '../util/numbers';
import { LuaEngine, LuaError, LuaInterrupt, LuaTable, type LuaFunction, type LuaValue } from './lua';
import { errorTable, errorText, readReply, replyErrorRaw, uncountedErrors, writeLuaReply } from './convert';

type DynFlags = (c: Client, cmd: CommandDef, args: string[]) => Set<string> | null;
/** Command families add here how a script's declared flags change its command's flags. */
export const flagProviders: DynFlags[] = [];

export const SCRIPT_FLAG_NAMES = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;

export interface ScriptFlags {
  /** No shebang: the script runs with EVAL's own flags (may write). */
  compat: boolean;
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlot: boolean;
}

export const COMPAT_FLAGS: ScriptFlags = { compat: true, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };

export interface CachedScript {
  sha: string;
  body: string;
  fn: LuaFunction;
  flags: ScriptFlags;
}

export interface RunState {
  /** The command that started the script (FUNCTION STATS). */
  args: string[];
  kind: 'eval' | 'function';
  caller: Client;
  /** "f_<sha>" for EVAL, the function name for FCALL. */
  funcname: string;
  startMs: number;
  readOnly: boolean;
  /** The server was out of memory when the script started (and the script did not declare allow-oom). */
  oom: boolean;
  wrote: boolean;
  timedOut: boolean;
  lastPoll: number;
  killed: boolean;
  /** RESP version chosen by redis.setresp. */
  resp: 2 | 3;
  /** redis.set_repl flags. */
  repl: number;
  /** What the script's commands propagate, with redis.set_repl's targets when they were run. */
  effects: { dbid: number; args: string[]; target: number }[];
  engine: LuaEngine;
}

export const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
export const E_NOTBUSY = 'NOTBUSY No scripts in execution right now.';
export const E_UNKILLABLE =
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

const REPL_NONE = 0;
const REPL_AOF = 1;
const REPL_REPLICA = 2;
const REPL_ALL = 3;

export function sha1hex(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** Host-function error: raises {err="ERR msg"} with the caller's position, as Redis's API functions do. */
function raise(eng: LuaEngine, msg: string): never {
  const t = errorTable('ERR ' + msg, false);
  const pos = wherePosition(eng);
  if (pos !== null) {
    t.set('source', pos.source);
    t.set('line', pos.line);
  }
  throw new LuaError(t);
}

/** Where a Lua error table was raised: source and line of the innermost Lua frame. */
function wherePosition(eng: LuaEngine): { source: string; line: number } | null {
  const w = eng.R.where();
  const m = /^(.*):(\d+): $/.exec(w);
  if (m === null) return null;
  return { source: '@' + m[1], line: Number(m[2]) };
}

export class ScriptingHost {
  readonly evalEngine: LuaEngine;
  readonly fnEngine: LuaEngine;
  readonly scripts = new Map<string, CachedScript>();
  /** Bytes of script bodies in the cache (INFO used_memory_scripts_eval). */
  scriptsBytes = 0;
  readonly fake: Client;
  run: RunState | null = null;
  /** Where the last error() call of the running script was made (errors without a position). */
  private lastErrorPos: { source: string; line: number } | null = null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: commands flagged noscript are allowed. */
  denyScriptsDisabled = false;
  /** Function-library state, managed by functions.ts. */
  fnState: unknown = null;
  private keysTable = new LuaTable();
  private argvTable = new LuaTable();

  constructor(readonly server: Server) {
    this.fake = new Client(server, null, 0, '', '');
    this.fake.ext.lua = true;
    this.fake.authenticated = true;
    this.evalEngine = this.makeEngine(false);
    this.fnEngine = this.makeEngine(true);
    this.installBusyGate();
    const prevDyn = server.ext.dynamicCommandFlags as DynFlags | undefined;
    server.ext.dynamicCommandFlags = (c: Client, cmd: CommandDef, args: string[]): Set<string> | null => {
      for (const p of flagProviders) {
        const f = p(c, cmd, args);
        if (f !== null) return f;
      }
      return prevDyn !== undefined ? prevDyn(c, cmd, args) : null;
    };
  }

  // --------------------------------------------------------------------------
  // Engines and the redis.* API
  // --------------------------------------------------------------------------

  private makeEngine(forFunctions: boolean): LuaEngine {
    const eng = new LuaEngine({ print: () => undefined });
    for (const g of ['loadfile', 'dofile', 'print', 'io', 'os', 'require', 'module', 'package', 'newproxy']) {
      if (eng.getGlobal(g) !== undefined) eng.setGlobal(g, undefined);
    }
    const redis = new LuaTable();
    eng.setGlobal('redis', redis);
    const reg = (name: string, fn: (...a: LuaValue[]) => LuaValue | LuaValue[]): void => eng.register('redis.' + name, fn);
    reg('call', (...a) => this.redisCall(eng, a, true));
    reg('pcall', (...a) => this.redisCall(eng, a, false));
    reg('sha1hex', (...a) => {
      if (a.length !== 1) raise(eng, 'wrong number of arguments');
      const v = a[0];
      return sha1hex(typeof v === 'string' ? v : typeof v === 'number' ? eng.tostring(v) : '');
    });
    reg('error_reply', (...a) => {
      if (a.length !== 1 || typeof a[0] !== 'string') return errorTable('ERR wrong number or type of arguments', false);
      let s = a[0];
      if (s.charCodeAt(0) !== 45) s = '-' + s;
      return errorTable(errorText(s), false);
    });
    reg('status_reply', (...a) => {
      if (a.length !== 1 || typeof a[0] !== 'string') return errorTable('ERR wrong number or type of arguments', false);
      const t = new LuaTable();
      t.set('ok', a[0]);
      return t;
    });
    reg('log', (...a) => {
      if (a.length < 2) raise(eng, 'redis.log() requires two arguments or more.');
      if (typeof a[0] !== 'number') raise(eng, 'First argument must be a number (log level).');
      const level = a[0];
      if (level < 0 || level > 3 || Math.trunc(level) !== level) raise(eng, 'Invalid debug level.');
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++) {
        const v = a[i];
        if (typeof v === 'string' || typeof v === 'number') parts.push(eng.tostring(v));
      }
      const msg = parts.join(' ');
      const log = this.server.log;
      if (level === 0) log.debug(msg);
      else if (level === 1) log.verbose(msg);
      else if (level === 2) log.notice(msg);
      else log.warning(msg);
      return undefined;
    });
    reg('setresp', (...a) => {
      if (a.length !== 1) raise(eng, 'redis.setresp() requires one argument.');
      const v = a[0];
      if (v !== 2 && v !== 3) raise(eng, 'RESP version must be 2 or 3.');
      if (this.run !== null) this.run.resp = v;
      this.fake.w.proto = v;
      return undefined;
    });
    reg('set_repl', (...a) => {
      if (this.run === null) raise(eng, 'set_repl can only be called inside a script invocation');
      if (a.length !== 1) raise(eng, 'redis.set_repl() requires one argument.');
      const v = a[0];
      if (typeof v !== 'number' || (v & ~REPL_ALL) !== 0 || Math.trunc(v) !== v) raise(eng, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      this.run.repl = v;
      return undefined;
    });
    reg('replicate_commands', () => true);
    reg('breakpoint', () => false);
    reg('debug', () => undefined);
    reg('acl_check_cmd', (...a) => {
      if (a.length === 0) raise(eng, 'Please specify at least one argument for this redis lib call');
      const args = a.map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? eng.tostring(v) : ''));
      const cmd = this.server.lookupCommand(args);
      if (cmd === undefined || (cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
        raise(eng, 'Invalid command passed to redis.acl_check_cmd()');
      }
      // A question, not an attempt: nothing is logged or counted.
      const allowed = this.server.ext.aclAllowed as ((c: Client, cmd: CommandDef, args: string[]) => boolean) | undefined;
      if (allowed !== undefined) return allowed(this.fake, cmd, args);
      const acl = this.server.ext.aclCheck as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
      return acl === undefined || acl(this.fake, cmd, args) === null;
    });
    redis.set('LOG_DEBUG', 0);
    redis.set('LOG_VERBOSE', 1);
    redis.set('LOG_NOTICE', 2);
    redis.set('LOG_WARNING', 3);
    redis.set('REPL_NONE', REPL_NONE);
    redis.set('REPL_AOF', REPL_AOF);
    redis.set('REPL_SLAVE', REPL_REPLICA);
    redis.set('REPL_REPLICA', REPL_REPLICA);
    redis.set('REPL_ALL', REPL_ALL);
    redis.set('REDIS_VERSION', REDIS_VERSION);
    const [maj, min, pat] = REDIS_VERSION.split('.').map(Number);
    redis.set('REDIS_VERSION_NUM', (maj << 16) | (min << 8) | pat);
    eng.setGlobal('server', redis);
    eng.seedRandom(0);
    // error(t) with a table: remember where it was raised (Redis's error handler adds source/line).
    const origError = eng.getGlobal('error');
    if (typeof origError === 'function') {
      eng.register('error', (...a) => {
        const t = a[0];
        if (this.run !== null) {
          const pos = wherePosition(eng);
          this.lastErrorPos = pos;
          if (pos !== null && t instanceof LuaTable && t.get('source') === undefined) {
            t.set('source', pos.source);
            t.set('line', pos.line);
          }
        }
        return origError(...a);
      });
    }
    eng.onTick = () => this.onTick();
    this.lockGlobals(eng);
    return eng;
  }

  /**
   * Redis 7 makes the globals and the library tables read-only. The engine has
   * no read-only tables, so: every global moves to a backing table, the globals
   * table itself stays empty (reads fall through __index, every write raises
   * "Attempt to modify a readonly table"), and redis/cjson/cmsgpack/bit/struct
   * become empty proxies of the same kind. setmetatable on any of them raises,
   * and getmetatable returns a read-only stand-in.
   */
  private lockGlobals(eng: LuaEngine): void {
    const G = eng.G;
    const ro = (): LuaValue => eng.R.error('Attempt to modify a readonly table');
    const locked = new WeakSet<LuaTable>();
    const proxy = (target: LuaTable, into: LuaTable): LuaTable => {
      const mt = new LuaTable();
      mt.set('__index', target);
      mt.set('__newindex', ro as LuaFunction);
      const shown = new LuaTable();
      const shownMt = new LuaTable();
      shownMt.set('__index', mt);
      shownMt.set('__newindex', ro as LuaFunction);
      shown.mt = shownMt;
      mt.set('__metatable', shown);
      into.mt = mt;
      locked.add(into);
      locked.add(shown);
      return into;
    };
    const backing = new LuaTable();
    for (const [k, v] of eng.tableEntries(G)) {
      backing.set(k, v);
      G.set(k, undefined);
    }
    for (const name of ['redis', 'cjson', 'cmsgpack', 'bit', 'struct']) {
      const t = backing.get(name);
      if (t instanceof LuaTable) {
        const p = proxy(t, new LuaTable());
        backing.set(name, p);
        if (name === 'redis') this.redisTables.set(eng, t);
      }
    }
    backing.set('server', backing.get('redis'));
    backing.set('_G', G);
    const bmt = new LuaTable();
    bmt.set('__index', ((_t: LuaValue, k: LuaValue) =>
      eng.R.error("Script attempted to access nonexistent global variable '" + eng.tostring(k) + "'")) as LuaFunction);
    backing.mt = bmt;
    proxy(backing, G);
    this.globals.set(eng, backing);
    const origSetmt = backing.get('setmetatable');
    if (typeof origSetmt === 'function') {
      const setmt = (...a: LuaValue[]): LuaValue | LuaValue[] => {
        if (a[0] instanceof LuaTable && locked.has(a[0])) return ro();
        return origSetmt(...a);
      };
      eng.register('setmetatable', setmt);
      backing.set('setmetatable', G.get('setmetatable'));
      G.set('setmetatable', undefined);
    }
  }

  /** The real globals of an engine (its globals table is an empty read-only proxy). */
  readonly globals = new Map<LuaEngine, LuaTable>();
  /** The real `redis` table of an engine (behind its read-only proxy). */
  readonly redisTables = new Map<LuaEngine, LuaTable>();

  // --------------------------------------------------------------------------
  // redis.call / redis.pcall
  // --------------------------------------------------------------------------

  private redisCall(eng: LuaEngine, a: LuaValue[], raiseErrors: boolean): LuaValue {
    let r: LuaValue;
    const args: string[] = new Array(a.length);
    let bad: string | null = a.length === 0 ? 'Please specify at least one argument for this redis lib call' : null;
    if (bad === null) {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (typeof v === 'string') args[i] = v;
        else if (typeof v === 'number') args[i] = numberArg(v);
        else {
          bad = 'Lua redis lib command arguments must be strings or integers';
          break;
        }
      }
    }
    if (bad !== null) r = errorTable('ERR ' + bad, false);
    else if (this.run === null) r = errorTable('ERR redis.call/pcall can only be called inside a script invocation', false);
    else r = this.execFromScript(args);
    if (raiseErrors && r instanceof LuaTable && typeof r.get('err') === 'string') {
      const pos = wherePosition(eng);
      if (pos !== null) {
        r.set('source', pos.source);
        r.set('line', pos.line);
      }
      throw new LuaError(r);
    }
    return r;
  }

  /** Run one command for the running script; returns its reply as a Lua value. */
  private execFromScript(args: string[]): LuaValue {
    const srv = this.server;
    const run = this.run as RunState;
    let cmd = srv.commands.get(args[0]) ?? srv.commands.get(args[0].toLowerCase());
    if (cmd !== undefined && cmd.subcommands !== undefined) {
      if (args.length >= 2) {
        const sub = cmd.subcommands.get(args[1].toLowerCase());
        if (sub !== undefined) cmd = sub;
        else if (cmd.handler === noParentHandler) cmd = undefined;
      }
    }
    if (cmd === undefined) return this.rejected('ERR Unknown Redis command called from script');
    if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
      return this.rejected('ERR Wrong number of args calling Redis command from script', cmd);
    }
    if (cmd.flags.has('noscript') && !this.denyScriptsDisabled) return this.rejected('ERR This Redis command is not allowed from script', cmd);
    const write = cmd.flags.has('write');
    // As Redis: commands that may replicate (PUBLISH) count as writes for read-only scripts.
    if ((write || cmd.flags.has('may_replicate')) && run.readOnly) return this.rejected('ERR Write commands are not allowed from read-only scripts.', cmd);
    const acl = srv.ext.aclCheck as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
    if (acl !== undefined) {
      const err = acl(this.fake, cmd, args);
      if (err !== null) return this.rejected(`ERR ACL failure in script: ${err.replace(/^NOPERM /, '')}`, cmd);
    }
    // Server-state refusals of writes (READONLY replica, MISCONF, NOREPLICAS), as Redis: only
    // until the script's first write (after that, failing would leave it half done), and
    // never for what the master or the AOF sends.
    const obey = run.caller.ext.master === true || run.caller.fake;
    if (write && !run.wrote && !obey) {
      const denied = srv.ext.scriptWriteDenied as (() => string | null) | undefined;
      const disk = srv.ext.writeDeniedReason as (() => string | null) | undefined;
      const repl = denied?.() ?? null;
      if (repl !== null && repl.startsWith('READONLY')) return this.rejected(repl, cmd);
      const misconf = disk?.() ?? null;
      if (misconf !== null) return this.rejected(misconf, cmd);
      if (repl !== null) return this.rejected(repl, cmd);
    }
    if (run.oom && !run.wrote && !obey && cmd.flags.has('denyoom')) return this.rejected("OOM command not allowed when used memory > 'maxmemory'.", cmd);
    // A script allowed on a stale replica (allow-stale) may still only call commands flagged stale.
    if (!cmd.flags.has('stale') && !srv.config.bool('replica-serve-stale-data')) {
      const repl = srv.ext.replicationState as { masterHost: string | null; link: { state: string } | null } | undefined;
      if (repl !== undefined && repl.masterHost !== null && (repl.link === null || repl.link.state !== 'connected')) {
        return this.rejected('ERR Can not execute the command on a stale replica.', cmd);
      }
    }
    if (write) run.wrote = true;
    const fake = this.fake;
    // Once the script wrote, the replication layer lets its further writes through too.
    fake.ext.scriptDirty = run.wrote;
    srv.execInternal(fake, cmd, args);
    const w = fake.w;
    const v = readReply(w.buf, w.len);
    w.len = 0;
    return v;
  }

  private rejected(msg: string, cmd?: CommandDef): LuaTable {
    if (cmd !== undefined) cmd.rejectedCalls++;
    this.server.countError(msg);
    // The error is the called command's, not the script's: the server must not count it as
    // the EVAL's own (failed_calls) once the script returns.
    (this.server as unknown as { nestedErrors: number }).nestedErrors++;
    return errorTable(msg, true);
  }

  // --------------------------------------------------------------------------
  // Running
  // --------------------------------------------------------------------------

  /**
   * Run `fn` for client `c` and write its reply. For EVAL the KEYS/ARGV
   * globals are set; for functions they are passed as arguments.
   */
  runScript(c: Client, kind: 'eval' | 'function', fn: LuaFunction, funcname: string, keys: string[], argv: string[], readOnly: boolean, cmdArgs: string[] = [], allowOom = false): void {
    const srv = this.server;
    const eng = kind === 'eval' ? this.evalEngine : this.fnEngine;
    if (this.run !== null) {
      // A script calling a script is refused by the noscript flag; this is a safety net.
      c.w.error('ERR Nested scripts are not supported');
      return;
    }
    const fake = this.fake;
    fake.db = c.db;
    fake.user = c.user;
    fake.w.proto = 2;
    fake.w.len = 0;
    const kt = kind === 'eval' ? this.keysTable : new LuaTable();
    const at = kind === 'eval' ? this.argvTable : new LuaTable();
    fillTable(kt, keys);
    fillTable(at, argv);
    if (kind === 'eval') {
      const g = this.globals.get(eng) as LuaTable;
      g.set('KEYS', kt);
      g.set('ARGV', at);
    }
    const run: RunState = {
      args: cmdArgs,
      kind,
      caller: c,
      funcname,
      startMs: srv.clock.nowUs() / 1000,
      readOnly,
      oom: !allowOom && (srv.ext.oomCheck as ((c: Client, cmd?: CommandDef) => boolean) | undefined)?.(c) === true,
      wrote: false,
      timedOut: false,
      lastPoll: 0,
      killed: false,
      resp: 2,
      repl: REPL_ALL,
      effects: [],
      engine: eng,
    };
    this.run = run;
    this.lastErrorPos = null;
    // Collect the script's effects; they are propagated once it is over.
    const hooks = srv.propagateHooks;
    const saved = hooks.length !== 0 ? hooks.splice(0, hooks.length) : null;
    if (saved !== null) {
      hooks.push((dbid, args) => {
        if (run.repl !== REPL_NONE) run.effects.push({ dbid, args, target: run.repl });
      });
    }
    eng.clearDeadline();
    let result: LuaValue = undefined;
    let failure: LuaValue = undefined;
    let failed = false;
    let interrupted = false;
    let killPos: { source: string; line: number } | null = null;
    try {
      const r = kind === 'eval' ? eng.call(fn) : eng.call(fn, kt, at);
      result = r[0];
    } catch (e) {
      failed = true;
      if (e instanceof LuaInterrupt) {
        interrupted = true;
        killPos = wherePosition(eng);
      }
      else if (e instanceof LuaError) failure = e.value;
      else failure = 'internal error: ' + String(e);
    } finally {
      this.run = null;
      eng.clearDeadline();
      if (saved !== null) {
        hooks.length = 0;
        for (const h of saved) hooks.push(h);
      }
      fake.w.len = 0;
      if (run.timedOut) this.endBusy(run);
    }
    if (kind === 'eval') {
      fillTable(kt, []);
      fillTable(at, []);
    }
    // Reply. An error reply that is not counted (already counted where it arose) still makes
    // the script's command failed (as Redis: failed_calls without touching the error stats).
    const uncounted = uncountedErrors.n;
    if (!failed) writeLuaReply(c.w, result, run.resp);
    else if (interrupted) {
      // Redis says SCRIPT KILL for functions too, and adds where the script was stopped.
      const pos = killPos ?? { source: kind === 'eval' ? '@user_script' : '@user_function', line: 1 };
      replyErrorRaw(c.w, `ERR Script killed by user with SCRIPT KILL... script: ${funcname}, on ${pos.source}:${pos.line}.`, true);
    } else this.replyFailure(c, failure, funcname, eng);
    if (uncountedErrors.n !== uncounted && srv.currentCmd !== null) srv.currentCmd.failedCalls++;
    // Propagate the effects: one command alone, several inside MULTI/EXEC.
    const fx = run.effects;
    if (fx.length !== 0) {
      const wrap = fx.length > 1 && !c.inExec;
      if (wrap) srv.propagate(-1, ['MULTI']);
      for (const e of fx) {
        if (e.target === REPL_ALL) srv.propagate(e.dbid, e.args);
        else propagateTo(srv, e.target, e.dbid, e.args);
      }
      if (wrap) srv.propagate(fx[fx.length - 1].dbid, ['EXEC']);
    }
    c.propagateArgs = false;
  }

  /** A script raised an error: reply it as Redis formats it. */
  private replyFailure(c: Client, err: LuaValue, funcname: string, eng: LuaEngine): void {
    let msg: string;
    let source: LuaValue;
    let line: LuaValue;
    let count = true;
    if (err instanceof LuaTable) {
      const e = err.get('err');
      msg = typeof e === 'string' ? e : e === undefined ? '' : eng.tostring(e);
      source = err.get('source');
      line = err.get('line');
      if (err.get('ignore_error_stats_update') === true) count = false;
    } else {
      const s = err === undefined ? 'nil' : typeof err === 'string' || typeof err === 'number' ? eng.tostring(err) : eng.tostring(err);
      msg = 'ERR ' + s;
      const m = /^([^:\n]*):(\d+): /.exec(s);
      if (m !== null) {
        source = '@' + m[1];
        line = Number(m[2]);
      } else if (this.lastErrorPos !== null) {
        source = this.lastErrorPos.source;
        line = this.lastErrorPos.line;
      }
    }
    let text = msg;
    if (source !== undefined && line !== undefined) text += ` script: ${funcname}, on ${eng.tostring(source)}:${eng.tostring(line)}.`;
    replyErrorRaw(c.w, text, count);
  }

  // --------------------------------------------------------------------------
  // Long scripts: -BUSY, SCRIPT KILL
  // --------------------------------------------------------------------------

  private onTick(): void {
    const run = this.run;
    if (run === null) return;
    const now = this.server.clock.nowUs() / 1000;
    if (!run.timedOut) {
      const cfg = this.server.config;
      const limit = Math.min(cfg.num('busy-reply-threshold'), cfg.num('lua-time-limit'));
      if (limit <= 0 || now - run.startMs < limit) return;
      run.timedOut = true;
      this.server.log.warning(
        `Slow script detected: still in execution after ${Math.round(now - run.startMs)} milliseconds. You can try killing the script using the ${run.kind === 'eval' ? 'SCRIPT' : 'FUNCTION'} KILL command. Script name is: ${run.funcname}.`,
      );
    }
    if (now - run.lastPoll < 2) return;
    run.lastPoll = now;
    this.processEventsWhileBlocked(run);
  }

  private installBusyGate(): void {
    const srv = this.server;
    const prev = srv.ext.commandGate as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
    srv.ext.commandGate = (c: Client, cmd: CommandDef, args: string[]): string | null => {
      const run = this.run;
      if (run !== null && run.timedOut && c !== run.caller && !c.fake && !cmd.flags.has('allow_busy')) {
        return run.kind === 'eval' ? BUSY_EVAL : BUSY_FUNCTION;
      }
      const p = prev ?? (srv.ext.commandGatePrev as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined);
      return p !== undefined ? p(c, cmd, args) : null;
    };
    srv.laneChecks.push(() => this.run === null || !this.run.timedOut);
  }

  private readBuf = Buffer.allocUnsafe(64 * 1024);

  /** Serve the other clients while a script runs: read what they sent, answer (-BUSY mostly). */
  private processEventsWhileBlocked(run: RunState): void {
    const srv = this.server;
    // Clients blocked on keys must not be served in the middle of the script.
    const own = Object.prototype.hasOwnProperty.call(srv, 'handleClientsBlockedOnKeys');
    const orig = srv.handleClientsBlockedOnKeys;
    srv.handleClientsBlockedOnKeys = () => undefined;
    try {
      // Replies queued before the script started go out now (they wait for the end of the turn).
      srv.flushPendingReplies();
      for (const c of [...srv.clients.values()]) {
        if (c === run.caller || c.socket === null || c.closed || c.blocked !== null || c.ext.paused === true) continue;
        const handle = (c.socket as unknown as { _handle?: { fd?: number } | null })._handle;
        const fd = handle?.fd;
        if (typeof fd !== 'number' || fd < 0) continue;
        for (;;) {
          let n: number;
          try {
            n = readSync(fd, this.readBuf, 0, this.readBuf.length, null);
          } catch (e) {
            // EAGAIN: nothing more to read; anything else: the connection is gone.
            const code = (e as NodeJS.ErrnoException).code;
            if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') srv.closeClient(c, false);
            break;
          }
          if (n === 0) {
            // The peer closed (a replica that went away, a client that quit): free it now,
            // as the script may be waiting for that (INFO connected_slaves).
            srv.closeClient(c, false);
            break;
          }
          if (n < 0) break;
          const chunk = Buffer.from(this.readBuf.subarray(0, n));
          srv.stats.netInputBytes += n;
          const err = c.parser.feed(chunk, (args) => srv.processCommand(c, args));
          if (err !== null) {
            c.w.error(`ERR ${err}`);
            c.closeAfterReply = true;
          }
          srv.flushClient(c);
          if (c.closed || c.closeAfterReply || n < this.readBuf.length) break;
        }
        if (srv.shuttingDown) {
          // SHUTDOWN NOSAVE: stop the script so that the server can close.
          run.engine.kill('shutdown');
          break;
        }
      }
    } finally {
      if (own) srv.handleClientsBlockedOnKeys = orig;
      else delete (srv as unknown as Record<string, unknown>).handleClientsBlockedOnKeys;
    }
  }

  private endBusy(run: RunState): void {
    void run;
    this.server.log.warning('Slow script finished.');
  }

  /** SCRIPT KILL / FUNCTION KILL. Returns the error to reply, or null when the kill was requested. */
  kill(kind: 'eval' | 'function'): string | null {
    const run = this.run;
    if (run === null) return E_NOTBUSY;
    if (run.wrote) return E_UNKILLABLE;
    // SCRIPT KILL cannot stop a function nor FUNCTION KILL a script: -BUSY naming the right one.
    if (run.kind !== kind) return run.kind === 'eval' ? BUSY_EVAL : BUSY_FUNCTION;
    run.killed = true;
    run.engine.kill('killed by user');
    return null;
  }

  get busy(): boolean {
    return this.run !== null;
  }

  // --------------------------------------------------------------------------
  // EVAL scripts
  // --------------------------------------------------------------------------

  /** Compile (or find) a script. Returns the cached entry or an error text. */
  loadScript(body: string): CachedScript | string {
    const sha = sha1hex(body);
    const got = this.scripts.get(sha);
    if (got !== undefined) return got;
    let flags: ScriptFlags = COMPAT_FLAGS;
    let code = body;
    if (body.startsWith('#!')) {
      const nl = body.indexOf('\n');
      const first = nl < 0 ? body.slice(2) : body.slice(2, nl);
      const parsed = parseShebang(first);
      if (typeof parsed === 'string') return parsed;
      flags = parsed;
      // Keep the line count: the shebang line becomes an empty line.
      code = nl < 0 ? '' : body.slice(nl);
    }
    let fn: LuaFunction;
    try {
      fn = this.evalEngine.compile(code, '@user_script');
    } catch (e) {
      const m = e instanceof LuaError ? this.evalEngine.tostring(e.value) : String(e);
      return `ERR Error compiling script (new function): ${m}`;
    }
    const s: CachedScript = { sha, body, fn, flags };
    this.scripts.set(sha, s);
    this.scriptsBytes += body.length;
    return s;
  }

  flushScripts(): void {
    this.scripts.clear();
    this.scriptsBytes = 0;
  }
}

/**
 * Propagate to some targets only (redis.set_repl): the AOF's and the replicas' hooks say which
 * they are (propagateTarget 1 and 2); hooks that do not (a transaction collecting effects) get all.
 */
function propagateTo(srv: Server, target: number, dbid: number, args: string[]): void {
  for (const h of srv.propagateHooks) {
    const t = (h as { propagateTarget?: number }).propagateTarget;
    if (t === undefined || (t & target) !== 0) h(dbid, args);
  }
}

/** A Lua number passed to redis.call: shortest round-trip form, as Redis 7.2 converts it. */
function numberArg(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e17) return String(n);
  return formatDouble(n);
}

function fillTable(t: LuaTable, items: string[]): void {
  const a = t.arr;
  const old = a.length;
  for (let i = 0; i < items.length; i++) a[i] = items[i];
  if (old > items.length) a.length = items.length;
}

/** Parse "lua flags=a,b" from an EVAL shebang line (after "#!"). */
export function parseShebang(line: string): ScriptFlags | string {
  const parts = line.split(' ').filter((p) => p !== '');
  const engine = parts[0] ?? '';
  if (engine !== 'lua') return `ERR Unexpected engine in script shebang: #!${line}`;
  const flags: ScriptFlags = { compat: false, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (!p.startsWith('flags=')) return `ERR Unknown lua shebang option: ${p}`;
    const list = p.slice(6).split(',');
    for (const f of list) {
      if (f === '') continue;
      if (!setFlag(flags, f)) return `ERR Unexpected flag in script shebang: ${f}`;
    }
  }
  return flags;
}

export function setFlag(flags: ScriptFlags, f: string): boolean {
  switch (f) {
    case 'no-writes':
      flags.noWrites = true;
      return true;
    case 'allow-oom':
      flags.allowOom = true;
      return true;
    case 'allow-stale':
      flags.allowStale = true;
      return true;
    case 'no-cluster':
      flags.noCluster = true;
      return true;
    case 'allow-cross-slot-keys':
      flags.allowCrossSlot = true;
      return true;
    default:
      return false;
  }
}

/** The command flags a script runs with (Redis: flags declared by the script replace EVAL's). */
export function scriptCommandFlags(base: Set<string>, f: ScriptFlags): Set<string> {
  if (f.compat) return base;
  const out = new Set(base);
  out.delete('stale');
  out.delete('denyoom');
  out.delete('write');
  out.delete('may_replicate');
  if (!f.allowOom && !f.noWrites) out.add('denyoom');
  if (!f.noWrites) out.add('write');
  if (f.allowStale) out.add('stale');
  return out;
}

export function getHost(server: Server): ScriptingHost {
  let h = server.ext.scripting as ScriptingHost | undefined;
  if (h === undefined) {
    h = new ScriptingHost(server);
    server.ext.scripting = h;
  }
  return h;
}

/** Parse numkeys for EVAL/FCALL-style commands; returns the count or an error text. */
export function parseNumkeys(args: string[], at: number): number | string {
  const s = args[at];
  if (!/^-?\d+$/.test(s) || s.length > 20) return 'ERR value is not an integer or out of range';
  const n = Number(s);
  if (n < 0) return "ERR Number of keys can't be negative";
  if (n > args.length - at - 1) return "ERR Number of keys can't be greater than number of args";
  return n;
}

export type { LuaValue };
