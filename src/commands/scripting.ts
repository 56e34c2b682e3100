/*
 * Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT.
 *
 * The work is done by the scripting host (src/scripting/host.ts): script
 * cache by SHA1, the Lua engine, redis.call, reply conversion, propagation of
 * the script's effects and the -BUSY / SCRIPT KILL machinery.
 */

import type { Client } from '../server/client';
import { command, noParentHandler, type CommandDef } from './types';
import { is } from './util';
import { replyHelp } from './keyspace';
import { flagProviders, getHost, parseNumkeys, scriptCommandFlags, type CachedScript } from '../scripting/host';

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/** Key positions of EVAL-like commands: script numkeys key... */
export function numkeysKeys(args: string[]): number[] {
  if (args.length < 3) return [];
  const n = Number(args[2]);
  if (!Number.isInteger(n) || n <= 0 || n > args.length - 3) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(3 + i);
  return out;
}

function syncCachedCount(c: Client): void {
  c.server.ext.cachedScripts = getHost(c.server).scripts.size;
}

// ----------------------------------------------------------------------------
// EVAL family
// ----------------------------------------------------------------------------

function evalGeneric(c: Client, args: string[], bySha: boolean, ro: boolean): void {
  const host = getHost(c.server);
  const nk = parseNumkeys(args, 2);
  if (typeof nk === 'string') {
    c.w.error(nk);
    return;
  }
  let s: CachedScript | string | undefined;
  if (bySha) {
    s = args[1].length === 40 ? host.scripts.get(args[1].toLowerCase()) : undefined;
    if (s === undefined) {
      c.w.error('NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    s = host.loadScript(args[1]);
    if (typeof s === 'string') {
      c.w.error(s);
      return;
    }
    syncCachedCount(c);
  }
  if (ro && !s.flags.compat && !s.flags.noWrites) {
    c.w.error('ERR Can not execute a script with write flag using *_ro command.');
    return;
  }
  const keys = args.slice(3, 3 + nk);
  const argv = args.slice(3 + nk);
  host.runScript(c, 'eval', s.fn, s.sha, keys, argv, ro || s.flags.noWrites, args, s.flags.allowOom || s.flags.noWrites);
}

/* EVAL script numkeys [key ...] [arg ...] */
function evalCommand(c: Client, args: string[]): void {
  evalGeneric(c, args, false, false);
}

/* EVALSHA sha1 numkeys [key ...] [arg ...] */
function evalshaCommand(c: Client, args: string[]): void {
  evalGeneric(c, args, true, false);
}

/* EVAL_RO script numkeys [key ...] [arg ...] */
function evalRoCommand(c: Client, args: string[]): void {
  evalGeneric(c, args, false, true);
}

/* EVALSHA_RO sha1 numkeys [key ...] [arg ...] */
function evalshaRoCommand(c: Client, args: string[]): void {
  evalGeneric(c, args, true, true);
}

// ----------------------------------------------------------------------------
// SCRIPT
// ----------------------------------------------------------------------------

/* SCRIPT LOAD script */
function scriptLoadCommand(c: Client, args: string[]): void {
  const s = getHost(c.server).loadScript(args[2]);
  if (typeof s === 'string') {
    c.w.error(s);
    return;
  }
  syncCachedCount(c);
  c.w.bulk(s.sha);
}

/* SCRIPT EXISTS sha1 [sha1 ...] */
function scriptExistsCommand(c: Client, args: string[]): void {
  const host = getHost(c.server);
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) c.w.int(host.scripts.has(args[i].toLowerCase()) ? 1 : 0);
}

/* SCRIPT FLUSH [ASYNC|SYNC] */
function scriptFlushCommand(c: Client, args: string[]): void {
  if (args.length > 3 || (args.length === 3 && !is(args[2], 'sync') && !is(args[2], 'async'))) {
    c.w.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  getHost(c.server).flushScripts();
  syncCachedCount(c);
  c.w.ok();
}

/* SCRIPT KILL */
function scriptKillCommand(c: Client): void {
  const err = getHost(c.server).kill('eval');
  if (err !== null) c.w.error(err);
  else c.w.ok();
}

/*
 * SCRIPT DEBUG YES|SYNC|NO
 * The Lua debugger is not implemented: the mode is accepted and scripts run normally.
 */
function scriptDebugCommand(c: Client, args: string[]): void {
  if (is(args[2], 'no') || is(args[2], 'yes') || is(args[2], 'sync')) {
    c.w.ok();
    return;
  }
  c.w.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

/* SCRIPT HELP */
function scriptHelpCommand(c: Client): void {
  replyHelp(c, 'SCRIPT', [
    'DEBUG (YES|SYNC|NO)',
    '    Set the debug mode for subsequent scripts executed.',
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);
}

// ----------------------------------------------------------------------------
// Command flags of a script (shebang flags replace EVAL's for OOM and pause)
// ----------------------------------------------------------------------------

/** Flags EVAL/EVALSHA run with, given the script they name (null: the command's own). */
export function evalDynamicFlags(c: Client, cmd: CommandDef, args: string[]): Set<string> | null {
  const base = cmd.parent?.name ?? cmd.name;
  if (base !== 'eval' && base !== 'evalsha' && base !== 'eval_ro' && base !== 'evalsha_ro') return null;
  if (args.length < 2) return null;
  const host = getHost(c.server);
  let s: CachedScript | undefined;
  if (base === 'evalsha' || base === 'evalsha_ro') s = host.scripts.get(args[1].toLowerCase());
  else if (args[1].startsWith('#!')) {
    const r = host.loadScript(args[1]);
    if (typeof r !== 'string') s = r;
  } else return compatFlags(cmd.flags);
  if (s === undefined) return null;
  return s.flags.compat ? compatFlags(cmd.flags) : scriptCommandFlags(cmd.flags, s.flags);
}

const compatCache = new WeakMap<Set<string>, Set<string>>();

/**
 * A script without shebang (compatibility mode) runs with EVAL's flags, but not 'stale': as in
 * Redis, a stale replica (replica-serve-stale-data no) refuses it with -MASTERDOWN.
 */
function compatFlags(base: Set<string>): Set<string> {
  let f = compatCache.get(base);
  if (f === undefined) {
    f = new Set(base);
    f.delete('stale');
    compatCache.set(base, f);
  }
  return f;
}

flagProviders.push(evalDynamicFlags);

const scriptSubcommands: CommandDef[] = [
  command('debug', 3, 'noscript', [0, 0, 0], 'scripting', scriptDebugCommand, { group: 'scripting', since: '3.2.0' }),
  command('exists', -3, 'noscript', [0, 0, 0], 'scripting', scriptExistsCommand, { group: 'scripting', since: '2.6.0' }),
  command('flush', -2, 'noscript', [0, 0, 0], 'scripting', scriptFlushCommand, { group: 'scripting', since: '2.6.0' }),
  command('help', 2, 'loading stale', [0, 0, 0], 'scripting', scriptHelpCommand, { group: 'scripting', since: '5.0.0' }),
  command('kill', 2, 'noscript allow_busy', [0, 0, 0], 'scripting', scriptKillCommand, { group: 'scripting', since: '2.6.0' }),
  command('load', 3, 'noscript stale', [0, 0, 0], 'scripting', scriptLoadCommand, { group: 'scripting', since: '2.6.0' }),
];

const evalFlags = 'noscript skip_monitor may_replicate no_mandatory_keys stale';
const evalRoFlags = 'noscript skip_monitor no_mandatory_keys stale readonly';

export const commands: CommandDef[] = [
  command('eval', -3, evalFlags, [0, 0, 0], 'scripting', evalCommand, { getKeys: numkeysKeys, group: 'scripting', since: '2.6.0' }),
  command('evalsha', -3, evalFlags, [0, 0, 0], 'scripting', evalshaCommand, { getKeys: numkeysKeys, group: 'scripting', since: '2.6.0' }),
  command('eval_ro', -3, evalRoFlags, [0, 0, 0], 'scripting', evalRoCommand, { getKeys: numkeysKeys, group: 'scripting', since: '7.0.0' }),
  command('evalsha_ro', -3, evalRoFlags, [0, 0, 0], 'scripting', evalshaRoCommand, { getKeys: numkeysKeys, group: 'scripting', since: '7.0.0' }),
  command('script', -2, '', [0, 0, 0], 'scripting', noParentHandler, { subcommands: scriptSubcommands, group: 'scripting', since: '2.6.0' }),
];
