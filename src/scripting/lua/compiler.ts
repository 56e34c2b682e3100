// Compiles the Lua AST to JavaScript source. The generated source is the body of a factory
// `new Function('R', 'H', 'ENV', src)` returning the main function of the chunk.
//   R   - Runtime instance (errors, metamethod slow paths)
//   H   - object of hot helpers (see runtime-ops in engine.ts)
//   ENV - environment (globals) table of the chunk
import { Expr, FuncNode, LocalVar, Stat } from './ast';
import { Runtime, Site } from './runtime';

const JS_RESERVED_SAFE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function jsStr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c >= 32 && c < 127) out += s[i];
    else out += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
  }
  return out + '"';
}

function jsNum(n: number): string {
  if (n !== n) return '(0/0)';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0 && 1 / n < 0) return '-0';
  const s = String(n);
  return n < 0 ? '(' + s + ')' : s;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** placeholder for a function's depth weight in its body text (replaced once the body is done) */
const DEPTH_W = '\u0001W\u0001'; // never in generated source: jsStr escapes control characters
function propOk(k: string): boolean {
  return IDENT.test(k) && k !== '__proto__';
}

interface FnCtx {
  id: number;
  usesGlobals?: boolean;
  needCs?: boolean;
  inlineTemps?: boolean;
  node: FuncNode;
  ntemps: number;
  parent: FnCtx | null;
  /** ids of the Lua locals (and parameters) declared by this function */
  locals: Set<number>;
  /** JS temp holding a return value while the frame's depth weight is released */
  rtmp?: string;
  /** most arguments of one call (they occupy consecutive interpreter registers) */
  maxArgs?: number;
}

/**
 * Estimated JS stack use of one activation of a compiled function, in 8-byte slots: a fixed
 * frame overhead (return address, context, closure, argument count, generator machinery) plus
 * one interpreter register per local, parameter and temporary. Measured on Node 20 (Ignition
 * frames, the largest tier): about 18 + n slots per plain frame, 36 + n in generator mode (n counting params,
 * locals, temporaries and the arguments of the widest call).
 */
export const FRAME_SLOTS = 18;
export const FRAME_SLOTS_CO = 36;

export class Compiler {
  private f!: FnCtx;
  private recs: string[] = [];
  private fnCount = 0;

  /** coroutine mode: every function is compiled as a generator (wrapped for plain calls) */
  constructor(private R: Runtime, private chunk: string, private coMode = false, private resumable = false) {
    if (resumable) this.coMode = true;
  }

  /** interruption check on function entry and loop back-edges (a pause point in resumable mode) */
  private tick(): string {
    return this.resumable ? 'if (--C.n < 0 && R.tickP()) yield PAUSE;\n' : 'if (--C.n < 0) R.tick();\n';
  }

  compileMain(main: FuncNode): string {
    const body = this.func(main, null);
    return '"use strict";\nconst {one, mv, idx, idxs, seti, sets, gget, gset, fn, lsm, ls, add, sub, mul, div, mod, pow, unm, cat, len, eq, lt, le, forIter, mktab, mktabf, E, C, T, LT, co, cg, SP, rec, PAUSE, inh} = H;\n' + this.siteDecls() + this.recs.join('') + 'return ' + body + ';';
  }

  private siteDecls(): string {
    let out = '';
    for (let i = 0; i < this.sites.length; i++) out += (i % 16 === 0 ? (i ? ';\nconst ' : 'const ') : ', ') + '$S' + i + ' = SITES[' + i + ']';
    return out ? out + ';\n' : '';
  }

  /** sites of this chunk; the generated code names them $S<n> (freed with the code) */
  sites: Site[] = [];
  private site(line: number, d1 = '', d2 = ''): string {
    this.sites.push(this.R.addSite(this.chunk, line, d1, d2));
    return '$S' + (this.sites.length - 1);
  }

  private tmp(): string {
    return '$' + ++this.f.ntemps;
  }

  private v(l: LocalVar): string {
    if (l.fn === this.f.node) this.f.locals.add(l.id);
    const n = JS_RESERVED_SAFE.test(l.name) ? l.name : 'v';
    return n + '$' + l.id;
  }

  private desc(e: Expr): string {
    switch (e.k) {
      case 'local':
        return (e.v.fn === this.f.node ? 'local' : 'upvalue') + " '" + e.v.name + "'";
      case 'global':
        return "global '" + e.name + "'";
      case 'index':
        return e.key.k === 'str' ? "field '" + e.key.v + "'" : "field '?'";
      case 'method':
        return "method '" + e.name + "'";
      default:
        return '';
    }
  }

  // ---------------------------------------------------------------- functions
  private func(node: FuncNode, name: string | null): string {
    const saved = this.f;
    this.f = { node, ntemps: 0, parent: saved ?? null, id: this.fnCount++, locals: new Set() };
    const fid = 'F$' + this.f.id;
    const params = node.params.map((p) => this.v(p));
    if (node.isVararg) params.push('...va');
    let pre = '';
    if (node.argVar) {
      pre += node.usesVararg
        ? 'let ' + this.v(node.argVar) + ';\n'
        : 'let ' + this.v(node.argVar) + ' = H.argTable(va);\n';
    }
    const body = this.block(node.body);
    let temps = '';
    if (this.f.ntemps > 0) {
      const t: string[] = [];
      for (let i = 1; i <= this.f.ntemps; i++) t.push('$' + i);
      temps = 'let ' + t.join(', ') + ';\n';
    }
    const csPre =
      (this.f.needCs ? 'const $cs = R.cs;\n' : '') +
      (this.f.inlineTemps ? 'let $x, $y, $z, $p, $q, $w;\n' : '') +
      (this.f.usesGlobals ? 'let $E = ' + fid + '.E;\nif ($E === undefined) $E = ENV;\n' : '');
    // call-depth accounting: every activation adds its estimated JS stack use to C.d on entry
    // and removes it on return; catch points (pcall, coroutine.resume, the host) restore the
    // value they saved. Past the budget C.m the call fails with 5.1's "stack overflow".
    const w = this.weight(this.f);
    const depthIn = 'if ((C.d += ' + w + ') > C.m) R.stackOverflow(' + w + ');\n';
    this.f = saved;
    const last = node.body[node.body.length - 1];
    const tail = last && last.k === 'return' ? '' : 'C.d -= ' + w + ';\nreturn E;\n';
    const fnText = '(' + params.join(', ') + ') {\n' + depthIn + csPre + '' + this.tick() + '' + temps + pre + body.split(DEPTH_W).join(String(w)) + tail + '}';
    void name;
    const fnv = this.coMode ? 'co(function* ' + fid + fnText + ')' : 'function ' + fid + fnText;
    // closures inherit the environment of the function creating them (setfenv semantics)
    return saved ? 'inh(' + fnv + ', F$' + saved.id + ')' : fnv;
  }

  private block(stats: Stat[]): string {
    let out = '';
    for (const s of stats) out += this.stat(s);
    return out;
  }

  // ---------------------------------------------------------------- statements
  private stat(s: Stat): string {
    switch (s.k) {
      case 'local':
        return this.localStat(s.vars, s.exprs);
      case 'localfunc': {
        const n = this.v(s.v);
        return 'let ' + n + ';\n' + n + ' = ' + this.func(s.f, null) + ';\n';
      }
      case 'assign':
        return this.assign(s.targets, s.exprs, s.line);
      case 'call':
        return this.callExpr(s.e, 'stat') + ';\n';
      case 'do':
        return '{\n' + this.block(s.body) + '}\n';
      case 'while':
        return 'while (' + this.test(s.cond) + ') {\n' + this.tick() + '' + this.block(s.body) + '}\n';
      case 'repeat':
        return 'do {\n' + this.tick() + '' + this.block(s.body) + 'if (' + this.test(s.cond) + ') break;\n} while (true);\n';
      case 'if': {
        let out = '';
        for (let i = 0; i < s.conds.length; i++) {
          out += (i === 0 ? 'if (' : ' else if (') + this.test(s.conds[i]) + ') {\n' + this.block(s.blocks[i]) + '}';
        }
        if (s.orelse) out += ' else {\n' + this.block(s.orelse) + '}';
        return out + '\n';
      }
      case 'fornum':
        return this.forNum(s);
      case 'forin':
        return this.forIn(s);
      case 'return':
        return this.ret(s.exprs);
      case 'break':
        return 'break;\n';
    }
  }

  /** depth weight of a function (see FRAME_SLOTS); known once its body is compiled */
  private weight(f: FnCtx): number {
    return (this.coMode ? FRAME_SLOTS_CO : FRAME_SLOTS) + f.locals.size + f.ntemps + (f.inlineTemps ? 6 : 0) + (f.node.isVararg ? 2 : 0) + (f.maxArgs ?? 0);
  }

  /** return statement: the value is computed first, then the frame's depth weight released */
  private ret(exprs: Expr[]): string {
    const out = (v: string, simple: boolean): string => {
      if (simple) return 'C.d -= ' + DEPTH_W + ';\nreturn ' + v + ';\n';
      if (this.f.rtmp === undefined) this.f.rtmp = this.tmp();
      const t = this.f.rtmp;
      return t + ' = ' + v + ';\nC.d -= ' + DEPTH_W + ';\nreturn ' + t + ';\n';
    };
    if (exprs.length === 0) return out('E', true);
    if (exprs.length === 1) {
      const e = exprs[0];
      if (e.k === 'call' || e.k === 'method') return out(this.callExpr(e, 'multi'), false);
      if (e.k === 'vararg') return out('va', true);
      return out(this.expr(e), this.isSimple(e));
    }
    return out(this.exprListArray(exprs), false);
  }

  /** JS expression for an array with all values of an expression list (last one expanded). */
  private exprListArray(exprs: Expr[]): string {
    const last = exprs[exprs.length - 1];
    const head = exprs.slice(0, -1).map((e) => this.expr(e));
    if (last.k === 'call' || last.k === 'method') {
      return '[' + head.concat('...mv(' + this.callExpr(last, 'multi') + ')').join(', ') + ']';
    }
    if (last.k === 'vararg') {
      if (head.length === 0) return 'va';
      return '[' + head.concat('...va').join(', ') + ']';
    }
    return '[' + head.concat(this.expr(last)).join(', ') + ']';
  }

  private isMulti(e: Expr | undefined): boolean {
    return e !== undefined && (e.k === 'call' || e.k === 'method' || e.k === 'vararg');
  }

  private localStat(vars: LocalVar[], exprs: Expr[]): string {
    const names = vars.map((v) => this.v(v));
    if (exprs.length === 0) return 'let ' + names.join(', ') + ';\n';
    if (vars.length === 1 && exprs.length === 1) {
      return 'let ' + names[0] + ' = ' + this.expr(exprs[0]) + ';\n';
    }
    const lastMulti = this.isMulti(exprs[exprs.length - 1]) && exprs.length <= vars.length;
    let out = '';
    const vals: string[] = [];
    const n = lastMulti ? exprs.length - 1 : exprs.length;
    for (let i = 0; i < n; i++) {
      const t = this.tmp();
      out += t + ' = ' + this.expr(exprs[i]) + ';\n';
      vals.push(t);
    }
    if (lastMulti) {
      const t = this.tmp();
      const last = exprs[exprs.length - 1];
      out += t + ' = ' + (last.k === 'vararg' ? 'va' : 'mv(' + this.callExpr(last, 'multi') + ')') + ';\n';
      for (let i = 0; vals.length < vars.length; i++) vals.push(t + '[' + i + ']');
    }
    const decl = names.map((nm, i) => nm + (i < vals.length ? ' = ' + vals[i] : '')).join(', ');
    return out + 'let ' + decl + ';\n';
  }

  private assign(targets: Expr[], exprs: Expr[], line: number): string {
    if (targets.length === 1 && exprs.length === 1) {
      return this.assignTo(targets[0], this.expr(exprs[0]), line, null) + ';\n';
    }
    let out = '';
    // evaluate target prefixes
    const pre: ([string, string] | null)[] = [];
    for (const t of targets) {
      if (t.k === 'index') {
        const o = this.tmp(), k = this.tmp();
        out += o + ' = ' + this.expr(t.obj) + '; ' + k + ' = ' + this.expr(t.key) + ';\n';
        pre.push([o, k]);
      } else pre.push(null);
    }
    const vals: string[] = [];
    const lastMulti = this.isMulti(exprs[exprs.length - 1]) && exprs.length <= targets.length;
    const n = lastMulti ? exprs.length - 1 : exprs.length;
    for (let i = 0; i < n; i++) {
      const t = this.tmp();
      out += t + ' = ' + this.expr(exprs[i]) + ';\n';
      if (i < targets.length) vals.push(t);
    }
    if (lastMulti) {
      const t = this.tmp();
      const last = exprs[exprs.length - 1];
      out += t + ' = ' + (last.k === 'vararg' ? 'va' : 'mv(' + this.callExpr(last, 'multi') + ')') + ';\n';
      for (let i = 0; vals.length < targets.length; i++) vals.push(t + '[' + i + ']');
    }
    while (vals.length < targets.length) vals.push('undefined');
    for (let i = targets.length - 1; i >= 0; i--) out += this.assignTo(targets[i], vals[i], line, pre[i]) + ';\n';
    return out;
  }

  private assignTo(t: Expr, val: string, line: number, pre: [string, string] | null): string {
    switch (t.k) {
      case 'local':
        return this.v(t.v) + ' = ' + val;
      case 'global':
        this.f.usesGlobals = true;
        return 'gset($E, ' + jsStr(t.name) + ', ' + val + ', ' + this.site(line) + ')';
      case 'index': {
        const s = this.site(t.line, this.desc(t.obj));
        if (pre) return 'seti(' + pre[0] + ', ' + pre[1] + ', ' + val + ', ' + s + ')';
        if (t.key.k === 'str' && propOk(t.key.v)) {
          this.f.inlineTemps = true;
          const k = t.key.v;
          return '($p = ' + this.expr(t.obj) + ', $w = ' + val + ', ($w !== undefined && $p instanceof LT && $p.mt === null && ($q = $p.strs) !== null && $q.' + k + ' !== undefined) ? ($q.' + k + ' = $w) : sets($p, ' + jsStr(k) + ', $w, ' + s + '))';
        }
        if (t.key.k === 'str') return 'sets(' + this.expr(t.obj) + ', ' + jsStr(t.key.v) + ', ' + val + ', ' + s + ')';
        return 'seti(' + this.expr(t.obj) + ', ' + this.expr(t.key) + ', ' + val + ', ' + s + ')';
      }
      default:
        throw new Error('bad assignment target');
    }
  }

  private forNum(s: Extract<Stat, { k: 'fornum' }>): string {
    const a = this.tmp(), b = this.tmp(), c = this.tmp();
    const st = this.site(s.line);
    let out = '{\n' + a + ' = ' + this.expr(s.start) + '; ' + b + ' = ' + this.expr(s.limit) + '; ';
    const constStep = s.step === null ? 1 : s.step.k === 'num' ? s.step.v : null;
    out += c + ' = ' + (s.step === null ? '1' : this.expr(s.step)) + ';\n';
    out += "if (typeof " + a + " !== 'number') " + a + " = R.forNum(" + a + ", 'initial value', " + st + ');\n';
    out += "if (typeof " + b + " !== 'number') " + b + " = R.forNum(" + b + ", 'limit', " + st + ');\n';
    if (constStep === null) out += "if (typeof " + c + " !== 'number') " + c + " = R.forNum(" + c + ", 'step', " + st + ');\n';
    const i = '$i' + s.v.id;
    let cond: string;
    if (constStep !== null) {
      cond = '(' + i + ' += ' + jsNum(constStep) + ') ' + (constStep > 0 ? '<=' : '>=') + ' ' + b;
      out += 'for (let ' + i + ' = ' + a + ' - ' + jsNum(constStep) + '; ' + cond + '; ) {\n';
    } else {
      cond = '(' + i + ' += ' + c + ', ' + c + ' > 0 ? ' + i + ' <= ' + b + ' : ' + i + ' >= ' + b + ')';
      out += 'for (let ' + i + ' = ' + a + ' - ' + c + '; ' + cond + '; ) {\n';
    }
    out += '' + this.tick() + 'let ' + this.v(s.v) + ' = ' + i + ';\n' + this.block(s.body) + '}\n}\n';
    return out;
  }

  private forIn(s: Extract<Stat, { k: 'forin' }>): string {
    const it = this.tmp();
    let init: string;
    if (s.exprs.length === 1 && this.isMulti(s.exprs[0])) {
      const e = s.exprs[0];
      init = e.k === 'vararg' ? 'va' : this.callExpr(e, 'multi');
    } else init = this.exprListArray(s.exprs);
    let out = '{\n' + it + ' = forIter(' + init + ', ' + this.site(s.line) + ');\n';
    out += 'while (' + it + '.step()) {\n' + this.tick() + '';
    const decl = s.vars.map((v, i) => this.v(v) + ' = ' + (i === 0 ? it + '.a' : i === 1 ? it + '.b' : it + '.r[' + i + ']'));
    out += 'let ' + decl.join(', ') + ';\n' + this.block(s.body) + '}\n}\n';
    return out;
  }

  // ---------------------------------------------------------------- expressions
  private isSimple(e: Expr): boolean {
    return e.k === 'local' || e.k === 'num' || e.k === 'str' || e.k === 'nil' || e.k === 'true' || e.k === 'false';
  }

  private hasCall(e: Expr): boolean {
    switch (e.k) {
      case 'call':
      case 'method':
        return true;
      case 'index':
        return this.hasCall(e.obj) || this.hasCall(e.key) || true;
      case 'bin':
        return true;
      case 'un':
        return e.op !== 'not' || this.hasCall(e.a);
      case 'and':
      case 'or':
        return this.hasCall(e.a) || this.hasCall(e.b);
      case 'paren':
        return this.hasCall(e.e);
      case 'table':
        return e.items.some((x) => this.hasCall(x)) || e.fields.some(([k, v]) => this.hasCall(k) || this.hasCall(v));
      case 'global':
        return true; // may hit __index of the environment
      default:
        return false;
    }
  }

  /** JS boolean expression for Lua truthiness */
  test(e: Expr): string {
    switch (e.k) {
      case 'true':
        return 'true';
      case 'false':
      case 'nil':
        return 'false';
      case 'num':
      case 'str':
        return 'true';
      case 'bin':
        if (e.op === '==' || e.op === '~=' || e.op === '<' || e.op === '>' || e.op === '<=' || e.op === '>=') return this.expr(e);
        break;
      case 'un':
        if (e.op === 'not') return '!(' + this.test(e.a) + ')';
        break;
      case 'and':
        return '(' + this.test(e.a) + ' && ' + this.test(e.b) + ')';
      case 'or':
        return '(' + this.test(e.a) + ' || ' + this.test(e.b) + ')';
      case 'local': {
        const n = this.v(e.v);
        return '(' + n + ' !== undefined && ' + n + ' !== false)';
      }
    }
    return 'T(' + this.expr(e) + ')';
  }

  expr(e: Expr): string {
    switch (e.k) {
      case 'nil':
        return 'undefined';
      case 'true':
        return 'true';
      case 'false':
        return 'false';
      case 'num':
        return jsNum(e.v);
      case 'str':
        return jsStr(e.v);
      case 'vararg':
        return 'va[0]';
      case 'func':
        return '(' + this.func(e.f, null) + ')';
      case 'local':
        return this.v(e.v);
      case 'global':
        this.f.usesGlobals = true;
        return 'gget($E, ' + jsStr(e.name) + ', ' + this.site(e.line ?? 0) + ')';
      case 'index': {
        const s = this.site(e.line, this.desc(e.obj));
        if (e.key.k === 'str' && propOk(e.key.v)) {
          this.f.inlineTemps = true;
          const k = e.key.v;
          return '(($x = ' + this.expr(e.obj) + ') instanceof LT && ($y = $x.strs) !== null && ($z = $y.' + k + ') !== undefined ? $z : idxs($x, ' + jsStr(k) + ', ' + s + '))';
        }
        if (e.key.k === 'str') return 'idxs(' + this.expr(e.obj) + ', ' + jsStr(e.key.v) + ', ' + s + ')';
        return 'idx(' + this.expr(e.obj) + ', ' + this.expr(e.key) + ', ' + s + ')';
      }
      case 'call':
      case 'method':
        return 'one(' + this.callExpr(e, 'multi') + ')';
      case 'paren':
        return this.expr(e.e);
      case 'and': {
        if (e.a.k === 'local') {
          const n = this.v(e.a.v);
          return '(' + n + ' === undefined || ' + n + ' === false ? ' + n + ' : ' + this.expr(e.b) + ')';
        }
        const t = this.tmp();
        return '((' + t + ' = ' + this.expr(e.a) + ') === undefined || ' + t + ' === false ? ' + t + ' : ' + this.expr(e.b) + ')';
      }
      case 'or': {
        if (e.a.k === 'local') {
          const n = this.v(e.a.v);
          return '(' + n + ' !== undefined && ' + n + ' !== false ? ' + n + ' : ' + this.expr(e.b) + ')';
        }
        const t = this.tmp();
        return '((' + t + ' = ' + this.expr(e.a) + ') !== undefined && ' + t + ' !== false ? ' + t + ' : ' + this.expr(e.b) + ')';
      }
      case 'un': {
        if (e.op === 'not') return '!' + this.test(e.a);
        const s = this.site(e.line, this.desc(e.a));
        if (e.op === '-') {
          if (e.a.k === 'local') {
            const n = this.v(e.a.v);
            return "(typeof " + n + " === 'number' ? -" + n + ' : unm(' + n + ', ' + s + '))';
          }
          return 'unm(' + this.expr(e.a) + ', ' + s + ')';
        }
        return 'len(' + this.expr(e.a) + ', ' + s + ')';
      }
      case 'bin':
        return this.binop(e);
      case 'table':
        return this.table(e);
    }
  }

  private binop(e: Extract<Expr, { k: 'bin' }>): string {
    const op = e.op;
    const s = this.site(e.line, this.desc(e.a), this.desc(e.b));
    const a = this.expr(e.a);
    const b = this.expr(e.b);
    const simple = this.isSimple(e.a) && this.isSimple(e.b);
    const numA = e.a.k === 'num', numB = e.b.k === 'num';
    const guard = (): string => {
      const g: string[] = [];
      if (!numA) g.push("typeof " + a + " === 'number'");
      if (!numB) g.push("typeof " + b + " === 'number'");
      return g.join(' && ');
    };
    const ARITH: Record<string, [string, string]> = {
      '+': ['add', '+'],
      '-': ['sub', '-'],
      '*': ['mul', '*'],
      '/': ['div', '/'],
    };
    if (ARITH[op]) {
      const [h, jsop] = ARITH[op];
      if (simple && !(numA && numB)) return '(' + guard() + ' ? ' + a + ' ' + jsop + ' ' + b + ' : ' + h + '(' + a + ', ' + b + ', ' + s + '))';
      return h + '(' + a + ', ' + b + ', ' + s + ')';
    }
    switch (op) {
      case '%':
        return 'mod(' + a + ', ' + b + ', ' + s + ')';
      case '^':
        return 'pow(' + a + ', ' + b + ', ' + s + ')';
      case '..':
        return 'cat(' + a + ', ' + b + ', ' + s + ')';
      case '==':
      case '~=': {
        const neg = op === '~=';
        const constOperand = (x: Expr): boolean => x.k === 'num' || x.k === 'str' || x.k === 'nil' || x.k === 'true' || x.k === 'false';
        if (constOperand(e.a) || constOperand(e.b)) return '(' + a + (neg ? ' !== ' : ' === ') + b + ')';
        return (neg ? '!' : '') + 'eq(' + a + ', ' + b + ')';
      }
      case '<':
      case '<=': {
        const h = op === '<' ? 'lt' : 'le';
        if (simple && !(numA && numB)) return '(' + guard() + ' ? ' + a + ' ' + op + ' ' + b + ' : ' + h + '(' + a + ', ' + b + ', ' + s + '))';
        return h + '(' + a + ', ' + b + ', ' + s + ')';
      }
      case '>':
      case '>=': {
        const h = op === '>' ? 'lt' : 'le';
        const jop = op === '>' ? '<' : '<=';
        const s2 = this.site(e.line, this.desc(e.b), this.desc(e.a));
        if (simple) {
          if (!(numA && numB)) return '(' + guard() + ' ? ' + b + ' ' + jop + ' ' + a + ' : ' + h + '(' + b + ', ' + a + ', ' + s2 + '))';
          return h + '(' + b + ', ' + a + ', ' + s2 + ')';
        }
        const t = this.tmp();
        return '(' + t + ' = ' + a + ', ' + h + '(' + b + ', ' + t + ', ' + s2 + '))';
      }
    }
    throw new Error('unknown operator ' + op);
  }

  private table(e: Extract<Expr, { k: 'table' }>): string {
    const items = e.items;
    let arr: string;
    if (items.length === 0) arr = '[]';
    else arr = this.exprListArray(items);
    if (items.length > 0 && this.isMulti(items[items.length - 1])) arr = arr === 'va' ? 'va.slice()' : arr;
    const multi = items.length > 0 && this.isMulti(items[items.length - 1]);
    if (e.fields.length === 0) {
      if (items.length === 0) return 'new LT()';
      return 'mktab(' + arr + ', 0' + (multi ? ', ' + (items.length - 1) : '') + ')';
    }
    if (items.length === 0 && e.fields.length <= 64) {
      const keys = e.fields.map(([k]) => (k.k === 'str' && propOk(k.v) ? k.v : null));
      if (keys.every((k) => k !== null) && new Set(keys).size === keys.length) {
        const name = 'Rec' + this.recs.length;
        const params = keys.map((_, i) => 'a' + i);
        this.recs.push(
          'function ' + name + '(' + params.join(', ') + ') {' + keys.map((k, i) => ' this.' + k + ' = a' + i + ';').join('') + ' }\n' +
            name + '.prototype = SP;\nconst ' + name + 'K = Object.freeze(' + JSON.stringify(keys) + ');\n',
        );
        return 'rec(new ' + name + '(' + e.fields.map(([, v]) => this.expr(v)).join(', ') + '), ' + name + 'K)';
      }
    }
    const f: string[] = [];
    for (const [k, v] of e.fields) f.push(this.expr(k), this.expr(v));
    return 'mktabf(' + arr + ', [' + f.join(', ') + '], ' + this.site(e.line) + (multi ? ', ' + (items.length - 1) : '') + ')';
  }

  /** mode 'multi': JS expression yielding value-or-array; 'stat': statement */
  callExpr(e: Expr, _mode: 'multi' | 'stat'): string {
    let fnExpr: string;
    let args: Expr[];
    let self: string | null = null;
    let s: string;
    let pre = '';
    if (e.k === 'call') {
      s = this.site(e.line, this.desc(e.fn));
      fnExpr = 'fn(' + this.expr(e.fn) + ', ' + s + ')';
      args = e.args;
    } else if (e.k === 'method') {
      s = this.site(e.line, this.desc(e));
      const t = this.tmp();
      const si = this.site(e.line, this.desc(e.obj));
      pre = t + ' = ' + this.expr(e.obj) + ', ';
      fnExpr = 'fn(idxs(' + t + ', ' + jsStr(e.name) + ', ' + si + '), ' + s + ')';
      args = e.args;
      self = t;
    } else throw new Error('not a call');
    const argStrs: string[] = self ? [self] : [];
    const needLine = args.some((a) => this.hasCall(a));
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const last = i === args.length - 1;
      if (last && a.k === 'vararg') argStrs.push('...va');
      else if (last && (a.k === 'call' || a.k === 'method')) argStrs.push('...lsm(' + this.callExpr(a, 'multi') + ', ' + s + ')');
      else if (last && needLine) argStrs.push('ls(' + this.expr(a) + ', ' + s + ')');
      else argStrs.push(this.expr(a));
    }
    if (argStrs.length > (this.f.maxArgs ?? 0)) this.f.maxArgs = argStrs.length;
    let call = fnExpr + '(' + argStrs.join(', ') + ')';
    if (this.coMode) {
      // generator call. Fast path: a Lua function's generator twin (.G) is delegated to
      // directly; anything else goes through cg (natives, __call, coroutine.yield).
      const inner = fnExpr.slice(3, fnExpr.length - 1); // "f, s"
      const comma = inner.lastIndexOf(', ');
      const fexpr = inner.slice(0, comma);
      const g = this.tmp(), h = this.tmp();
      let assigns = g + ' = ' + fexpr;
      const direct: string[] = [];
      for (const a of argStrs) {
        const t = this.tmp();
        if (a.startsWith('...')) {
          assigns += ', ' + t + ' = ' + a.slice(3);
          direct.push('...' + t);
        } else {
          assigns += ', ' + t + ' = ' + a;
          direct.push(t);
        }
      }
      call =
        '(' + assigns + ', ' + g + ' !== undefined && ' + g + ' !== null && (' + h + ' = ' + g + '.G) !== undefined ? (R.cs = ' + s + ', yield* ' + h + '(' + direct.join(', ') + ')) : (yield* cg(' + g + ', ' + s + ', [' + direct.join(', ') + '])))';
    }
    if (e.k === 'call' && e.fn.k === 'global' && e.fn.name === 'error' && args.length >= 2 && !(args[1].k === 'num' && args[1].v < 2)) {
      this.f.needCs = true;
      call = '(R.cs2 = $cs, ' + call + ')';
    }
    const calleeName =
      e.k === 'call'
        ? e.fn.k === 'global'
          ? e.fn.name
          : e.fn.k === 'local'
            ? e.fn.v.name
            : e.fn.k === 'index' && e.fn.key.k === 'str'
              ? e.fn.key.v
              : ''
        : '';
    if (calleeName === 'setfenv' || calleeName === 'getfenv') {
      // level 1 means this function; a setfenv may also change the env of this very invocation
      const fid = 'F$' + this.f.id;
      const t = this.tmp();
      this.f.usesGlobals = true;
      call = '(R.curFn = ' + fid + ', ' + t + ' = ' + call + ', $E = ' + fid + '.E ?? ENV, ' + t + ')';
    }
    return pre ? '(' + pre + call + ')' : call;
  }
}
