/*
 * Server configuration: redis.conf parsing (quoting, `include`), typed values,
 * CONFIG GET/SET/REWRITE semantics and change hooks.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitArgs } from '../protocol/parser';
import { globMatch } from '../util/glob';
import { CONFIG_ALIASES, CONFIG_SPECS, NUMERIC_BOUNDS, type ConfigSpec } from './config-table';
import { NOTIFY_BAD_CLASS, notifyFlagsToString, parseNotifyFlags } from './notify-flags';

export class ConfigError extends Error {}

/** Enum parameters that take several flags ("now force"). */
const MULTI_ENUMS = new Set(['shutdown-on-sigint', 'shutdown-on-sigterm']);

/** Parameters only enable-protected-configs lets CONFIG SET change (they can point the server at arbitrary files). */
const PROTECTED_CONFIGS = new Set(['dir', 'dbfilename']);

export const REDIS_VERSION = '7.2.4';

/** Parse a memory amount as Redis's memtoull: 1k=1000, 1kb=1024, m/mb, g/gb. */
export function parseMemory(s: string): number | null {
  const m = /^(-?[0-9]+)(k|kb|m|mb|g|gb|b)?$/i.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mul: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return n * mul[unit];
}

type Hook = (value: string, old: string) => void | string;

/** Configs that take several arguments (MULTI_ARG in Redis): a single argument from a file is split on spaces. */
const MULTI_ARG = new Set(['save', 'bind', 'client-output-buffer-limit', 'oom-score-adj-values', 'latency-tracking-info-percentiles', 'replicaof', 'shutdown-on-sigint', 'shutdown-on-sigterm']);

/** Old directives a config file may still hold: accepted and ignored (name: [min, max] words with the name). */
const DEPRECATED: Record<string, [number, number]> = {
  'list-max-ziplist-entries': [2, 2],
  'list-max-ziplist-value': [2, 2],
  'lua-replicate-commands': [2, 2],
};

/** Redis's string2ll: an optional minus sign and digits, no leading zeros (except "0"), no spaces. */
function strictInteger(v: string): bigint | null {
  if (!/^-?(0|[1-9][0-9]*)$/.test(v) || v === '-0') return null;
  const n = BigInt(v);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return n;
}

/** Memory parse with Redis's memtoull units, as a bigint; null when not a memory value. */
function memoryBig(v: string): bigint | null {
  const m = /^([0-9]+)(k|kb|m|mb|g|gb|b)?$/i.exec(v);
  if (!m) return null;
  const mul: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };
  const n = BigInt(m[1]) * mul[(m[2] ?? '').toLowerCase()];
  return n > 18446744073709551615n ? null : n;
}

/** Check a numeric value against its bounds; returns Redis's error reason or null. */
function boundsError(name: string, n: bigint, percent: boolean): string | null {
  const b = NUMERIC_BOUNDS[name];
  if (b === undefined) return null;
  const lo = BigInt(b[0]);
  const hi = BigInt(b[1]);
  if (b[2] === true) {
    const u = n < 0n ? n + 18446744073709551616n : n;
    if (u > hi || u < lo) return name === 'unixsocketperm' ? `argument must be between ${lo.toString(8)} and ${hi.toString(8)} inclusive` : `argument must be between ${lo} and ${hi} inclusive`;
    return null;
  }
  if (percent && n < 0n) return n < lo ? `percentage argument must be less or equal to ${-lo}` : null;
  if (n > hi || n < lo) return `argument must be between ${lo} and ${hi} inclusive`;
  return null;
}

export class Config {
  private values = new Map<string, string>();
  private specs = new Map<string, ConfigSpec>();
  private hooks = new Map<string, Hook[]>();
  /** Path of the config file, for CONFIG REWRITE and INFO config_file. */
  file = '';
  /** Names set by the file or CONFIG SET (for REWRITE). */
  private changed = new Set<string>();
  /** The names of the CONFIG SET being applied, and the position of the one whose hooks run (grouped reloads such as TLS). */
  batch: string[] = [];
  batchPos = 0;

  constructor() {
    for (const s of CONFIG_SPECS) {
      this.specs.set(s.name, s);
      this.values.set(s.name, s.def);
    }
  }

  canonical(name: string): string {
    const n = name.toLowerCase();
    return CONFIG_ALIASES[n] ?? n;
  }

  has(name: string): boolean {
    return this.specs.has(this.canonical(name));
  }

  get(name: string): string {
    // Callers nearly always pass the canonical name: try it first (hot paths read config per command).
    const v = this.values.get(name);
    if (v !== undefined) return v;
    return this.values.get(this.canonical(name)) ?? '';
  }

  /** Parsed numbers, cached until the next change of any parameter. */
  private nums = new Map<string, number>();
  /** Bumped on every change of any value: lets hot paths cache what they derive from the config. */
  generation = 0;

  /** Numeric value of an int/memory/bool parameter (bools give 1/0). */
  num(name: string): number {
    const cached = this.nums.get(name);
    if (cached !== undefined) return cached;
    const v = this.get(name);
    const spec = this.specs.get(this.canonical(name));
    let n: number;
    if (spec?.type === 'bool') n = v === 'yes' ? 1 : 0;
    else if (spec?.type === 'memory') n = parseMemory(v) ?? 0;
    else if (name === 'unixsocketperm') n = parseInt(v, 8) || 0; // shown and set in octal
    else n = Number(v);
    this.nums.set(name, n);
    return n;
  }

  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  onChange(name: string, fn: Hook): void {
    const n = this.canonical(name);
    const list = this.hooks.get(n) ?? [];
    list.push(fn);
    this.hooks.set(n, list);
  }

  /** Validate and normalise a value; throws ConfigError with Redis's reason text. */
  normalise(name: string, args: string[]): string {
    const spec = this.specs.get(name);
    if (!spec) throw new ConfigError('Bad directive or wrong number of arguments');
    if (!MULTI_ARG.has(name) && args.length !== 1) throw new ConfigError('wrong number of arguments');
    const v = args.join(' ');
    switch (spec.type) {
      case 'bool': {
        const l = v.toLowerCase();
        if (l !== 'yes' && l !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        return l;
      }
      case 'int': {
        let n: bigint | null;
        if (name === 'unixsocketperm') {
          n = /^[0-7]+$/.test(v) ? BigInt('0o' + v) : null;
          if (n === null) throw new ConfigError("argument couldn't be parsed as an octal number");
        } else {
          n = strictInteger(v);
          if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
        }
        const err = boundsError(name, n, false);
        if (err !== null) throw new ConfigError(err);
        if (name === 'unixsocketperm') return n.toString(8);
        return String(n);
      }
      case 'memory': {
        const percent = name === 'maxmemory-clients';
        let n = memoryBig(v);
        if (n === null && percent && v.length > 1 && v.endsWith('%')) {
          const p = strictInteger(v.slice(0, -1));
          if (p !== null && p >= 0n) n = -p;
        }
        if (n === null) throw new ConfigError(percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
        const err = boundsError(name, n, percent);
        if (err !== null) throw new ConfigError(err);
        if (n < 0n) return `${-n}%`;
        return String(n);
      }
      case 'enum': {
        const allowed = (spec.values ?? '').split(' ');
        if (MULTI_ENUMS.has(name)) {
          const words = args.join(' ').toLowerCase().split(/\s+/).filter(Boolean);
          if (words.length === 0 || words.some((w) => !allowed.includes(w))) throw new ConfigError(`argument(s) must be one of the following: ${allowed.join(', ')}`);
          if (words.includes('save') && words.includes('nosave')) throw new ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously");
          // Flags print in the order of the enum table; none at all is the default.
          const set = allowed.filter((a) => a !== 'default' && words.includes(a));
          return set.length ? set.join(' ') : 'default';
        }
        const l = v.toLowerCase();
        if (!allowed.includes(l)) throw new ConfigError(`argument(s) must be one of the following: ${allowed.join(', ')}`);
        // Two names of one value print as the first (oom-score-adj relative is yes).
        if (name === 'oom-score-adj' && l === 'relative') return 'yes';
        return l;
      }
      default:
        if (name === 'save') return normaliseSave(args);
        if (name === 'replicaof') {
          // Internal callers clear it with no arguments.
          if (args.length === 0) return '';
          if (args.length !== 2) throw new ConfigError('wrong number of arguments');
          if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return '';
          const port = /^-?[0-9]+$/.test(args[1]) ? Number(args[1]) : -1;
          if (!(port >= 0 && port <= 65535)) throw new ConfigError('Invalid master port');
          return `${args[0]} ${port}`;
        }
        if (name === 'oom-score-adj-values') {
          const parts = args.length === 1 ? args[0].split(' ') : args;
          if (parts.length !== 3) throw new ConfigError('wrong number of arguments');
          const out: number[] = [];
          for (const p of parts) {
            const n = /^[+-]?[0-9]+$/.test(p) ? Number(p) : NaN;
            if (!(n >= -2000 && n <= 2000)) throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
            out.push(n);
          }
          return out.join(' ');
        }
        if (name === 'latency-tracking-info-percentiles') {
          const parts = args.join(' ').split(/\s+/).filter(Boolean);
          const out: string[] = [];
          for (const p of parts) {
            const d = /^[0-9]+(\.[0-9]*)?$/.test(p) ? Number(p) : NaN;
            if (!(d >= 0 && d <= 100)) throw new ConfigError('latency-tracking-info-percentiles parameter should be between 0.0 and 100.0');
            out.push(String(d));
          }
          return out.join(' ');
        }
        if (name === 'client-output-buffer-limit') return normaliseObuf(args, this.get(name));
        if (name === 'notify-keyspace-events') {
          // Stored as given (the flags matter, e.g. 'n' alongside 'A'); CONFIG GET shows the canonical form.
          if (parseNotifyFlags(v) === null) throw new ConfigError(NOTIFY_BAD_CLASS);
          return v;
        }
        return v;
    }
  }

  /** Set from a config file or command line: no immutability check. */
  setInitial(name: string, args: string[]): void {
    const n = this.canonical(name);
    // A multi-argument config given as one argument ("127.0.0.1 6379") is split on spaces.
    if (MULTI_ARG.has(n) && args.length === 1 && args[0] !== '') args = splitArgs(args[0]) ?? args;
    const v = this.normalise(n, args);
    this.values.set(n, v);
    this.nums.clear();
    this.generation++;
    this.changed.add(n);
    for (const w of this.watchers) w(n);
  }

  /** Called after each setInitial (the server changing its own parameters, e.g. replicaof on REPLICAOF). */
  private watchers: ((name: string) => void)[] = [];

  watch(fn: (name: string) => void): void {
    this.watchers.push(fn);
  }

  /**
   * CONFIG SET of several parameters at once: all validated first, then
   * applied; a hook error rolls every change back. Throws ConfigError whose
   * message is Redis's full error text.
   */
  setMany(pairs: [string, string][], protectedAllowed = true): void {
    const seen = new Set<string>();
    const planned: [string, string][] = [];
    for (const [rawName, value] of pairs) {
      const n = this.canonical(rawName);
      const spec = this.specs.get(n);
      if (!spec) throw new ConfigError(`ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`);
      if (seen.has(n)) throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${rawName}') - duplicate parameter`);
      seen.add(n);
      if (spec.immutable) throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${rawName}') - can't set immutable config`);
      if (!protectedAllowed && PROTECTED_CONFIGS.has(n)) throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${rawName}') - can't set protected config`);
      let v: string;
      try {
        const args = n === 'save' || n === 'bind' || n === 'client-output-buffer-limit' || n === 'oom-score-adj-values' || n === 'latency-tracking-info-percentiles'
          ? (splitArgs(value) ?? [value]) : [value];
        v = this.normalise(n, n === 'save' && value === '' ? [] : args);
      } catch (e) {
        throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${rawName.toLowerCase()}') - ${(e as Error).message}`);
      }
      planned.push([n, v]);
    }
    const applied: [string, string][] = [];
    this.batch = planned.map(([n]) => n);
    for (const [n, v] of planned) {
      const old = this.values.get(n) ?? '';
      this.values.set(n, v);
      this.nums.clear();
      this.generation++;
      applied.push([n, old]);
      this.batchPos = applied.length - 1;
      for (const h of this.hooks.get(n) ?? []) {
        const err = h(v, old);
        if (typeof err === 'string') {
          const newValues = new Map(planned);
          applied.reverse();
          for (const [rn, rv] of applied) this.values.set(rn, rv);
          this.nums.clear();
          this.generation++;
          // As Redis: the parameters applied before the failing one are applied again with their old values.
          for (const [rn, rv] of applied.slice(1)) {
            if (rn.startsWith('tls-')) continue; // TLS reloads as one group: its old context stays in place
            for (const rh of this.hooks.get(rn) ?? []) {
              try {
                rh(rv, newValues.get(rn) ?? rv);
              } catch {
                /* best effort, as Redis's restore */
              }
            }
          }
          throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${n}') - ${err}`);
        }
      }
      this.changed.add(n);
    }
  }

  /** CONFIG GET: name/value pairs for every parameter matching any pattern. */
  getMatching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      const lp = p.toLowerCase();
      const exact = this.specs.has(lp) || lp in CONFIG_ALIASES;
      if (exact && !/[*?[]/.test(lp)) {
        out.set(lp, this.get(lp));
        continue;
      }
      for (const [name, spec] of this.specs) if (!spec.hidden && globMatch(lp, name, true)) out.set(name, this.values.get(name) ?? '');
      for (const alias of Object.keys(CONFIG_ALIASES)) if (globMatch(lp, alias, true)) out.set(alias, this.get(alias));
    }
    return [...out].map(([n, v]): [string, string] => [n, this.shown(n, v)]);
  }

  /** A value as CONFIG GET prints it. */
  private shown(name: string, v: string): string {
    if (name === 'notify-keyspace-events') return notifyFlagsToString(parseNotifyFlags(v) ?? 0);
    return v;
  }

  /** Load a redis.conf file (recursively following `include`). Throws a fatal-error description. */
  loadFile(path: string, extra = ''): void {
    this.file = resolve(path);
    let text = '';
    if (path !== '-') text = readFileSync(path, 'latin1');
    this.loadText(text + '\n' + extra);
  }

  loadText(text: string): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const args = splitArgs(line);
      const fail = (msg: string) => new FatalConfigError(i + 1, line, msg);
      if (args === null) throw fail('Unbalanced quotes in configuration line');
      if (args.length === 0) continue;
      const name = args[0].toLowerCase();
      if (name === 'include') {
        if (args.length !== 2) throw fail('Bad directive or wrong number of arguments');
        this.loadText(readFileSync(args[1], 'latin1'));
        continue;
      }
      if (name === 'rename-command' || name === 'user' || name === 'loadmodule') {
        // Accepted; handled by the features that need them.
        this.directives.push(args);
        continue;
      }
      const n = this.canonical(name);
      if (!this.specs.has(n)) {
        const dep = DEPRECATED[name];
        if (dep !== undefined && args.length >= dep[0] && args.length <= dep[1]) continue;
        throw fail('Bad directive or wrong number of arguments');
      }
      try {
        let vals = args.slice(1);
        // A multi-argument config given as one argument ("--save '900 1'") is split on spaces.
        if (MULTI_ARG.has(n) && vals.length === 1 && vals[0] !== '') vals = splitArgs(vals[0]) ?? vals;
        if (n === 'save') this.loadSaveLine(vals);
        else this.setInitial(n, vals);
      } catch (e) {
        throw fail((e as Error).message);
      }
    }
  }

  /** Whether a config file line already replaced the default save points (later lines add to them). */
  private saveLoaded = false;

  /** A `save` line of the config file: the first replaces the defaults, later ones add points, `save ""` clears. */
  private loadSaveLine(vals: string[]): void {
    let reset = false;
    if (vals.length === 1 && vals[0] === '') {
      vals = [];
      reset = true;
    }
    const added = normaliseSave(vals);
    let cur = this.values.get('save') ?? '';
    if (reset || !this.saveLoaded) cur = '';
    this.saveLoaded = true;
    this.values.set('save', [cur, added].filter((x) => x !== '').join(' '));
    this.nums.clear();
    this.generation++;
    this.changed.add('save');
  }

  /** Directives the config table does not hold (rename-command, user, loadmodule). */
  directives: string[][] = [];

  /** Directives a feature writes itself on CONFIG REWRITE (name → its current lines). */
  readonly rewriters = new Map<string, () => string[]>();

  /** CONFIG REWRITE: rewrite the config file with the current values of changed parameters. */
  rewrite(forceAll = false): void {
    if (!this.file) throw new ConfigError('ERR The server is running without a config file');
    let lines: string[] = [];
    try {
      lines = readFileSync(this.file, 'latin1').split('\n');
    } catch {
      lines = [];
    }
    const done = new Set<string>();
    const out: string[] = [];
    for (const line of lines) {
      const args = splitArgs(line.trim());
      if (args && args.length > 0 && !line.trim().startsWith('#')) {
        const rw = this.rewriters.get(args[0].toLowerCase());
        if (rw !== undefined) {
          // A feature's directive (ACL `user` lines): its lines replace the first one found.
          if (!done.has(args[0].toLowerCase())) out.push(...rw());
          done.add(args[0].toLowerCase());
          continue;
        }
        const n = this.canonical(args[0]);
        if (this.specs.has(n)) {
          if (done.has(n)) continue;
          done.add(n);
          const l = this.formatLine(n);
          if (l !== null) out.push(l);
          continue;
        }
      }
      out.push(line);
    }
    // DEBUG CONFIG-REWRITE-FORCE-ALL writes every parameter, defaults included.
    const missing = forceAll
      ? [...this.specs.keys()].filter((n) => !done.has(n) && this.formatLine(n) !== null)
      : [...this.changed].filter((n) => !done.has(n) && this.values.get(n) !== this.specs.get(n)?.def && this.formatLine(n) !== null);
    const extra: string[] = [];
    for (const [n, rw] of this.rewriters) if (!done.has(n)) extra.push(...rw());
    if (missing.length || extra.length) {
      while (out.length && out[out.length - 1] === '') out.pop();
      out.push('# Generated by CONFIG REWRITE');
      for (const n of missing) out.push(this.formatLine(n) as string);
      out.push(...extra);
      out.push('');
    }
    writeFileSync(this.file, out.join('\n'));
  }

  /** The config file line of a parameter; null when it has none (replicaof of a master). */
  private formatLine(n: string): string | null {
    const v = this.values.get(n) ?? '';
    if (n === 'save' && v === '') return 'save ""';
    if (n === 'replicaof') return v === '' ? null : `replicaof ${v}`;
    const spec = this.specs.get(n);
    if (spec?.type === 'string' && (v === '' || /[\s"']/.test(v)) && n !== 'save' && n !== 'bind' && n !== 'client-output-buffer-limit') {
      return `${n} "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    }
    return `${n} ${v}`;
  }
}

export class FatalConfigError extends Error {
  constructor(public line: number, public text: string, public reason: string) {
    super(reason);
  }

  /** The message Redis prints on stderr before exiting with status 1. */
  report(): string {
    return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line ${this.line}\n>>> '${this.text}'\n${this.reason}\n`;
  }
}

function normaliseSave(argsIn: string[]): string {
  // Values may arrive as one argument ("900 1") or several.
  const args = argsIn.join(' ').split(/\s+/).filter((a) => a !== '');
  if (args.length === 0) return '';
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  for (let i = 0; i < args.length; i++) {
    if (!/^[+-]?[0-9]+$/.test(args[i]) || Number(args[i]) < (i % 2 === 0 ? 1 : 0)) throw new ConfigError('Invalid save parameters');
    args[i] = String(Number(args[i]));
  }
  return args.join(' ');
}

function normaliseObuf(args: string[], current: string): string {
  if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const classes: Record<string, string[]> = { normal: cur.slice(1, 4), slave: cur.slice(5, 8), pubsub: cur.slice(9, 12) };
  for (let i = 0; i < args.length; i += 4) {
    let cls = args[i].toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!(cls in classes)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(args[i + 1]);
    const soft = parseMemory(args[i + 2]);
    const secs = /^[0-9]+$/.test(args[i + 3]) ? Number(args[i + 3]) : null;
    if (hard === null || soft === null || secs === null) throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    classes[cls] = [String(hard), String(soft), String(secs)];
  }
  return `normal ${classes.normal.join(' ')} slave ${classes.slave.join(' ')} pubsub ${classes.pubsub.join(' ')}`;
}
