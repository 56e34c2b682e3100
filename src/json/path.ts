/*
 * JSONPath for the JSON type, in RedisJSON 2.x's two syntaxes:
 *
 * - JSONPath (starts with `$`): `$`, `$.a.b`, `$..a`, `$.*`, `$[*]`, `$[0]`,
 *   `$[-1]`, `$[0,2]`, `$[1:3]`, `$[::2]`, `$['key']`, `$["a","b"]`, and
 *   filters `$[?(@.price < 10 && @.tag == 'x')]` (== != < <= > >= =~, && ||,
 *   !, parentheses, `@`/`$` relative paths, literals).
 * - legacy (anything else): `.`, `.a.b`, `a.b`, `a[0]`, `["key"]`; it is
 *   rewritten into JSONPath and evaluated the same way, the commands keep
 *   only the first match and reply with legacy shapes.
 *
 * Evaluation yields matches {value, parent, key} so that writers can replace
 * or delete a match in its parent container.
 */

import { isArray, isObject, jsonEquals, type JObject, type JValue } from '../types/json';

export type Selector =
  | { kind: 'names'; names: string[] }
  | { kind: 'wild' }
  | { kind: 'indexes'; idx: number[] }
  | { kind: 'slice'; start: number | null; end: number | null; step: number | null }
  | { kind: 'filter'; expr: Expr };

export interface Segment {
  descendant: boolean;
  sel: Selector;
}

export type Operand =
  | { kind: 'lit'; value: JValue }
  | { kind: 'path'; root: '@' | '$'; segs: Segment[] };

export type Expr =
  | { kind: 'or'; items: Expr[] }
  | { kind: 'and'; items: Expr[] }
  | { kind: 'not'; e: Expr }
  | { kind: 'cmp'; op: string; l: Operand; r: Operand }
  | { kind: 'exists'; o: Operand };

export class PathError extends Error {}

export interface ParsedPath {
  /** The path as the user wrote it. */
  original: string;
  /** `$`-form text (legacy paths are rewritten). */
  text: string;
  legacy: boolean;
  segs: Segment[];
}

/** A match: the value, and where it sits (parent null = the document root). */
export interface Match {
  value: JValue;
  parent: JValue[] | JObject | null;
  key: number | string;
}

// ----------------------------------------------------------------------------
// Parsing
// ----------------------------------------------------------------------------

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 36 || c >= 0x80;
}

class PathParser {
  pos = 0;
  constructor(readonly s: string) {}

  /** RedisJSON's JSONPath syntax error: the position and the text split at it. */
  err(): never {
    const at = Math.min(this.pos, this.s.length);
    throw new PathError(`Error occurred on position ${at}, "${this.s.slice(0, at)} ---->>>> ${this.s.slice(at)}", expected one of the following: a JSONPath element`);
  }

  ws(): void {
    while (this.pos < this.s.length && (this.s[this.pos] === ' ' || this.s[this.pos] === '\t')) this.pos++;
  }

  peek(str: string): boolean {
    return this.s.startsWith(str, this.pos);
  }

  /** Segments until the end (or, inside a filter, until a non-path character). */
  segments(inFilter: boolean): Segment[] {
    const segs: Segment[] = [];
    const s = this.s;
    for (;;) {
      if (this.pos >= s.length) return segs;
      if (this.peek('..')) {
        this.pos += 2;
        if (s[this.pos] === '[') segs.push({ descendant: true, sel: this.bracket() });
        else if (s[this.pos] === '*') {
          this.pos++;
          segs.push({ descendant: true, sel: { kind: 'wild' } });
        } else segs.push({ descendant: true, sel: { kind: 'names', names: [this.name()] } });
      } else if (s[this.pos] === '.') {
        this.pos++;
        if (s[this.pos] === '*') {
          this.pos++;
          segs.push({ descendant: false, sel: { kind: 'wild' } });
        } else if (s[this.pos] === '[') segs.push({ descendant: false, sel: this.bracket() });
        else segs.push({ descendant: false, sel: { kind: 'names', names: [this.name()] } });
      } else if (s[this.pos] === '[') {
        segs.push({ descendant: false, sel: this.bracket() });
      } else if (inFilter) return segs;
      else this.err();
    }
  }

  name(): string {
    const start = this.pos;
    while (this.pos < this.s.length && isNameChar(this.s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.err();
    return this.s.slice(start, this.pos);
  }

  quoted(): string {
    const q = this.s[this.pos++];
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) this.err();
      const c = this.s[this.pos++];
      if (c === q) return out;
      if (c === '\\') {
        const e = this.s[this.pos++];
        if (e === undefined) this.err();
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else out += c;
    }
  }

  int(): number | null {
    const m = /^-?\d+/.exec(this.s.slice(this.pos));
    if (m === null) return null;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  bracket(): Selector {
    this.pos++; // '['
    this.ws();
    const s = this.s;
    let sel: Selector;
    if (s[this.pos] === '*') {
      this.pos++;
      sel = { kind: 'wild' };
    } else if (s[this.pos] === '?') {
      this.pos++;
      this.ws();
      let paren = false;
      if (s[this.pos] === '(') {
        paren = true;
        this.pos++;
      }
      const expr = this.orExpr();
      this.ws();
      if (paren) {
        if (s[this.pos] !== ')') this.err();
        this.pos++;
      }
      sel = { kind: 'filter', expr };
    } else if (s[this.pos] === "'" || s[this.pos] === '"') {
      const names = [this.quoted()];
      this.ws();
      while (s[this.pos] === ',') {
        this.pos++;
        this.ws();
        if (s[this.pos] !== "'" && s[this.pos] !== '"') this.err();
        names.push(this.quoted());
        this.ws();
      }
      sel = { kind: 'names', names };
    } else {
      const a = this.int();
      this.ws();
      if (s[this.pos] === ':') {
        this.pos++;
        this.ws();
        const b = this.int();
        this.ws();
        let step: number | null = null;
        if (s[this.pos] === ':') {
          this.pos++;
          this.ws();
          step = this.int();
          this.ws();
        }
        if (step === 0) this.err();
        sel = { kind: 'slice', start: a, end: b, step };
      } else {
        if (a === null) this.err();
        const idx = [a];
        while (s[this.pos] === ',') {
          this.pos++;
          this.ws();
          const n = this.int();
          if (n === null) this.err();
          idx.push(n);
          this.ws();
        }
        sel = { kind: 'indexes', idx };
      }
    }
    this.ws();
    if (s[this.pos] !== ']') this.err();
    this.pos++;
    return sel;
  }

  orExpr(): Expr {
    const items = [this.andExpr()];
    this.ws();
    while (this.peek('||')) {
      this.pos += 2;
      items.push(this.andExpr());
      this.ws();
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  andExpr(): Expr {
    const items = [this.unary()];
    this.ws();
    while (this.peek('&&')) {
      this.pos += 2;
      items.push(this.unary());
      this.ws();
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  unary(): Expr {
    this.ws();
    if (this.s[this.pos] === '!' && this.s[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'not', e: this.unary() };
    }
    if (this.s[this.pos] === '(') {
      this.pos++;
      const e = this.orExpr();
      this.ws();
      if (this.s[this.pos] !== ')') this.err();
      this.pos++;
      return e;
    }
    const l = this.operand();
    this.ws();
    const m = /^(==|!=|<=|>=|<|>|=~)/.exec(this.s.slice(this.pos));
    if (m === null) {
      if (l.kind !== 'path') this.err();
      return { kind: 'exists', o: l };
    }
    this.pos += m[1].length;
    this.ws();
    const r = this.operand();
    return { kind: 'cmp', op: m[1], l, r };
  }

  operand(): Operand {
    const s = this.s;
    const c = s[this.pos];
    if (c === '@' || c === '$') {
      this.pos++;
      return { kind: 'path', root: c, segs: this.segments(true) };
    }
    if (c === "'" || c === '"') return { kind: 'lit', value: this.quoted() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(s.slice(this.pos));
    if (m === null) this.err();
    this.pos += m[0].length;
    const t = m[0];
    if (t === 'true') return { kind: 'lit', value: true };
    if (t === 'false') return { kind: 'lit', value: false };
    if (t === 'null') return { kind: 'lit', value: null };
    if (/[.eE]/.test(t)) return { kind: 'lit', value: Number(t) };
    return { kind: 'lit', value: BigInt(t) };
  }
}

/** Legacy path → `$` text (".a" → "$.a", "a" → "$.a", "." → "$", "[0]" → "$[0]"). */
export function legacyToJsonPath(p: string): string {
  if (p === '.' || p === '') return '$';
  if (p[0] === '.') return '$' + p;
  if (p[0] === '[') return '$' + p;
  return '$.' + p;
}

const cache = new Map<string, ParsedPath>();

/** Parse a path argument (either syntax). Throws PathError. */
export function parsePath(original: string): ParsedPath {
  const hit = cache.get(original);
  if (hit !== undefined) return hit;
  const legacy = original[0] !== '$';
  const text = legacy ? legacyToJsonPath(original) : original;
  const p = new PathParser(text);
  p.pos = 1;
  const segs = p.segments(false);
  const parsed: ParsedPath = { original, text, legacy, segs };
  if (cache.size > 1000) cache.clear();
  cache.set(original, parsed);
  return parsed;
}

/** A path of single names and single indexes only (no wildcard, filter, slice, union or `..`). */
export function isStaticPath(p: ParsedPath): boolean {
  return p.segs.every((s) => !s.descendant && ((s.sel.kind === 'names' && s.sel.names.length === 1) || (s.sel.kind === 'indexes' && s.sel.idx.length === 1)));
}

/** Is this path the document root ("$" or ".")? */
export function isRootPath(p: ParsedPath): boolean {
  return p.segs.length === 0;
}

// ----------------------------------------------------------------------------
// Evaluation
// ----------------------------------------------------------------------------

function children(v: JValue, out: Match[]): void {
  if (isArray(v)) for (let i = 0; i < v.length; i++) out.push({ value: v[i], parent: v, key: i });
  else if (isObject(v)) for (const [k, x] of v) out.push({ value: x, parent: v, key: k });
}

function applySelector(m: Match, sel: Selector, root: JValue, out: Match[]): void {
  const v = m.value;
  switch (sel.kind) {
    case 'names':
      if (isObject(v)) for (const n of sel.names) if (v.has(n)) out.push({ value: v.get(n) as JValue, parent: v, key: n });
      return;
    case 'wild':
      children(v, out);
      return;
    case 'indexes':
      if (!isArray(v)) return;
      for (const i0 of sel.idx) {
        const i = i0 < 0 ? v.length + i0 : i0;
        if (i >= 0 && i < v.length) out.push({ value: v[i], parent: v, key: i });
      }
      return;
    case 'slice': {
      if (!isArray(v)) return;
      const n = v.length;
      const step = sel.step ?? 1;
      const norm = (x: number): number => (x < 0 ? Math.max(0, n + x) : Math.min(n, x));
      if (step > 0) {
        const start = sel.start === null ? 0 : norm(sel.start);
        const end = sel.end === null ? n : norm(sel.end);
        for (let i = start; i < end; i += step) out.push({ value: v[i], parent: v, key: i });
      } else {
        const start = sel.start === null ? n - 1 : Math.min(n - 1, sel.start < 0 ? n + sel.start : sel.start);
        const end = sel.end === null ? -1 : sel.end < 0 ? Math.max(-1, n + sel.end) : sel.end;
        for (let i = start; i > end; i += step) out.push({ value: v[i], parent: v, key: i });
      }
      return;
    }
    case 'filter': {
      const cands: Match[] = [];
      children(v, cands);
      for (const c of cands) if (evalExpr(sel.expr, c.value, root)) out.push(c);
      return;
    }
  }
}

function descendants(m: Match, out: Match[]): void {
  out.push(m);
  const kids: Match[] = [];
  children(m.value, kids);
  for (const k of kids) descendants(k, out);
}

/** Evaluate segments from a starting match. */
export function evalSegments(segs: readonly Segment[], start: Match, root: JValue): Match[] {
  let cur: Match[] = [start];
  for (const seg of segs) {
    const next: Match[] = [];
    for (const m of cur) {
      if (seg.descendant) {
        const all: Match[] = [];
        descendants(m, all);
        for (const d of all) applySelector(d, seg.sel, root, next);
      } else applySelector(m, seg.sel, root, next);
    }
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

/** All matches of `p` in the document `root`. */
export function evaluate(p: ParsedPath, root: JValue): Match[] {
  return evalSegments(p.segs, { value: root, parent: null, key: '' }, root);
}

function operandValues(o: Operand, cur: JValue, root: JValue): JValue[] {
  if (o.kind === 'lit') return [o.value];
  const start = o.root === '@' ? cur : root;
  return evalSegments(o.segs, { value: start, parent: null, key: '' }, root).map((m) => m.value);
}

function isNum(v: JValue): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function compare(op: string, a: JValue, b: JValue): boolean {
  if (op === '==') return jsonEquals(a, b);
  if (op === '!=') return !jsonEquals(a, b);
  if (op === '=~') {
    if (typeof a !== 'string' || typeof b !== 'string') return false;
    try {
      return new RegExp(Buffer.from(b, 'latin1').toString('utf8'), 'u').test(Buffer.from(a, 'latin1').toString('utf8'));
    } catch {
      return false;
    }
  }
  let c: number;
  if (isNum(a) && isNum(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') c = a < b ? -1 : a > b ? 1 : 0;
    else c = Number(a) - Number(b);
  } else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else if (typeof a === 'boolean' && typeof b === 'boolean') c = Number(a) - Number(b);
  else return false;
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

function evalExpr(e: Expr, cur: JValue, root: JValue): boolean {
  switch (e.kind) {
    case 'or':
      return e.items.some((x) => evalExpr(x, cur, root));
    case 'and':
      return e.items.every((x) => evalExpr(x, cur, root));
    case 'not':
      return !evalExpr(e.e, cur, root);
    case 'exists':
      return operandValues(e.o, cur, root).length > 0;
    case 'cmp': {
      const ls = operandValues(e.l, cur, root);
      const rs = operandValues(e.r, cur, root);
      for (const a of ls) for (const b of rs) if (compare(e.op, a, b)) return true;
      return false;
    }
  }
}

/**
 * For JSON.SET/MERGE on a path that does not exist yet: the parent path and
 * the member name when the last step is a single static name (`$.a.b`,
 * `$['x']`), else null.
 */
export function splitLastName(p: ParsedPath): { parent: Segment[]; name: string } | null {
  const n = p.segs.length;
  if (n === 0) return null;
  const last = p.segs[n - 1];
  if (last.descendant || last.sel.kind !== 'names' || last.sel.names.length !== 1) return null;
  return { parent: p.segs.slice(0, n - 1), name: last.sel.names[0] };
}
