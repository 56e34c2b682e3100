// Recursive-descent parser for exactly the Lua 5.1 grammar (lparser.c structure and error texts).
import { Expr, FuncNode, LocalVar, Stat } from './ast';
import { Lexer, T, token2str } from './lexer';

const MAXVARS = 200;
const MAXUPVALUES = 60;
const MAXLEVELS = 200;

const BINPRI: Record<number, [number, number, string]> = {
  43: [6, 6, '+'],
  45: [6, 6, '-'],
  42: [7, 7, '*'],
  47: [7, 7, '/'],
  37: [7, 7, '%'],
  94: [10, 9, '^'],
  [T.Concat]: [5, 4, '..'],
  [T.Ne]: [3, 3, '~='],
  [T.Eq]: [3, 3, '=='],
  60: [3, 3, '<'],
  [T.Le]: [3, 3, '<='],
  62: [3, 3, '>'],
  [T.Ge]: [3, 3, '>='],
  [T.And]: [2, 2, 'and'],
  [T.Or]: [1, 1, 'or'],
};
const UNARY_PRIORITY = 8;

interface FS {
  node: FuncNode;
  actives: LocalVar[];
  blocks: { nactive: number; isLoop: boolean }[];
  parent: FS | null;
}

export class Parser {
  private lx: Lexer;
  private fs!: FS;
  private varId = 0;
  private level = 0;

  constructor(src: string, chunkname: string) {
    this.lx = new Lexer(src, chunkname);
  }

  parseChunk(): FuncNode {
    const main: FuncNode = { params: [], isVararg: true, body: [], line: 0, parent: null, name: 'main chunk', upvals: new Set() };
    this.fs = { node: main, actives: [], blocks: [], parent: null };
    this.lx.next();
    main.body = this.block(false);
    if (this.lx.t !== T.Eos) this.errorExpected(T.Eos);
    return main;
  }

  // ---- helpers ---------------------------------------------------------------------
  private errorExpected(t: number): never {
    return this.lx.syntaxError("'" + token2str(t) + "' expected");
  }
  private check(t: number): void {
    if (this.lx.t !== t) this.errorExpected(t);
  }
  private checkNext(t: number): void {
    this.check(t);
    this.lx.next();
  }
  private testNext(t: number): boolean {
    if (this.lx.t === t) {
      this.lx.next();
      return true;
    }
    return false;
  }
  private checkMatch(what: number, who: number, where: number): void {
    if (!this.testNext(what)) {
      if (where === this.lx.line) this.errorExpected(what);
      this.lx.syntaxError(
        "'" + token2str(what) + "' expected (to close '" + token2str(who) + "' at line " + where + ')',
      );
    }
  }
  private checkName(): string {
    this.check(T.Name);
    const n = this.lx.tval as string;
    this.lx.next();
    return n;
  }
  private enterLevel(): void {
    if (++this.level > MAXLEVELS) this.lx.error('chunk has too many syntax levels');
  }
  private errorLimit(limit: number, what: string): never {
    const where = this.fs.node.line === 0 ? 'main function' : 'function at line ' + this.fs.node.line;
    return this.lx.error(where + ' has more than ' + limit + ' ' + what);
  }

  private newVar(name: string): LocalVar {
    return { name, id: ++this.varId, fn: this.fs.node };
  }
  private activate(v: LocalVar): void {
    if (this.fs.actives.length + 1 > MAXVARS) this.errorLimit(MAXVARS, 'local variables');
    this.fs.actives.push(v);
  }
  private checkLimitPending(n: number): void {
    if (this.fs.actives.length + n > MAXVARS) this.errorLimit(MAXVARS, 'local variables');
  }

  private singleVar(name: string): Expr {
    let fs: FS | null = this.fs;
    const chain: FS[] = [];
    while (fs) {
      const a = fs.actives;
      for (let i = a.length - 1; i >= 0; i--) {
        if (a[i].name === name) {
          const v = a[i];
          // register upvalue in every function between
          for (const f of chain) {
            if (!f.node.upvals.has(v)) {
              f.node.upvals.add(v);
              if (f.node.upvals.size > MAXUPVALUES) {
                const where = 'function at line ' + f.node.line;
                this.lx.error(where + ' has more than ' + MAXUPVALUES + ' upvalues');
              }
            }
          }
          return { k: 'local', v };
        }
      }
      chain.push(fs);
      fs = fs.parent;
    }
    return { k: 'global', name };
  }

  private tk(): number {
    return this.lx.t;
  }

  private blockFollow(): boolean {
    const t = this.lx.t;
    return t === T.Else || t === T.Elseif || t === T.End || t === T.Until || t === T.Eos;
  }

  private block(isLoop: boolean): Stat[] {
    const fs = this.fs;
    fs.blocks.push({ nactive: fs.actives.length, isLoop });
    const body = this.statList();
    const b = fs.blocks.pop()!;
    fs.actives.length = b.nactive;
    return body;
  }

  private statList(): Stat[] {
    this.enterLevel();
    const out: Stat[] = [];
    let last = false;
    while (!last && !this.blockFollow()) {
      if (this.lx.t === T.Return || this.lx.t === T.Break) last = true;
      out.push(this.statement());
      this.testNext(59);
    }
    this.level--;
    return out;
  }

  // ---- statements ------------------------------------------------------------------
  private statement(): Stat {
    const lx = this.lx;
    const line = lx.line;
    switch (lx.t) {
      case T.If:
        return this.ifStat(line);
      case T.While: {
        lx.next();
        const cond = this.expr();
        this.checkNext(T.Do);
        const body = this.block(true);
        this.checkMatch(T.End, T.While, line);
        return { k: 'while', cond, body };
      }
      case T.Do: {
        lx.next();
        const body = this.block(false);
        this.checkMatch(T.End, T.Do, line);
        return { k: 'do', body };
      }
      case T.For:
        return this.forStat(line);
      case T.Repeat: {
        lx.next();
        const fs = this.fs;
        fs.blocks.push({ nactive: fs.actives.length, isLoop: true });
        const body = this.statList();
        this.checkMatch(T.Until, T.Repeat, line);
        const cond = this.expr();
        const b = fs.blocks.pop()!;
        fs.actives.length = b.nactive;
        return { k: 'repeat', body, cond };
      }
      case T.Function: {
        lx.next();
        let target: Expr = this.singleVar(this.checkName());
        let name = target.k === 'global' ? target.name : (target as { v: LocalVar }).v.name;
        let isMethod = false;
        while (this.tk() === 46) {
          lx.next();
          const key = this.checkName();
          name += '.' + key;
          target = { k: 'index', obj: target, key: { k: 'str', v: key }, line: lx.line };
        }
        if (this.tk() === 58) {
          lx.next();
          const key = this.checkName();
          name += ':' + key;
          target = { k: 'index', obj: target, key: { k: 'str', v: key }, line: lx.line };
          isMethod = true;
        }
        const f = this.body(isMethod, line, name);
        return { k: 'assign', targets: [target], exprs: [{ k: 'func', f }], line };
      }
      case T.Local: {
        lx.next();
        if (this.testNext(T.Function)) {
          const name = this.checkName();
          const v = this.newVar(name);
          this.activate(v);
          const f = this.body(false, line, name);
          return { k: 'localfunc', v, f };
        }
        const vars: LocalVar[] = [];
        do {
          vars.push(this.newVar(this.checkName()));
          this.checkLimitPending(vars.length);
        } while (this.testNext(44));
        let exprs: Expr[] = [];
        if (this.testNext(61)) exprs = this.exprList();
        for (const v of vars) this.activate(v);
        return { k: 'local', vars, exprs, line };
      }
      case T.Return: {
        lx.next();
        let exprs: Expr[] = [];
        if (!this.blockFollow() && this.tk() !== 59) exprs = this.exprList();
        return { k: 'return', exprs, line };
      }
      case T.Break: {
        lx.next();
        const bl = this.fs.blocks;
        let ok = false;
        for (let i = bl.length - 1; i >= 0; i--)
          if (bl[i].isLoop) {
            ok = true;
            break;
          }
        if (!ok) lx.syntaxError('no loop to break');
        return { k: 'break' };
      }
      default:
        return this.exprStat();
    }
  }

  private ifStat(line: number): Stat {
    const conds: Expr[] = [];
    const blocks: Stat[][] = [];
    let orelse: Stat[] | null = null;
    // test_then_block
    this.lx.next();
    conds.push(this.expr());
    this.checkNext(T.Then);
    blocks.push(this.block(false));
    while (this.lx.t === T.Elseif) {
      this.lx.next();
      conds.push(this.expr());
      this.checkNext(T.Then);
      blocks.push(this.block(false));
    }
    if (this.testNext(T.Else)) orelse = this.block(false);
    this.checkMatch(T.End, T.If, line);
    return { k: 'if', conds, blocks, orelse };
  }

  private forStat(line: number): Stat {
    const lx = this.lx;
    lx.next();
    const n1 = this.checkName();
    if (lx.t === 61) {
      lx.next();
      const start = this.expr();
      this.checkNext(44);
      const limit = this.expr();
      let step: Expr | null = null;
      if (this.testNext(44)) step = this.expr();
      this.checkNext(T.Do);
      const v = this.newVar(n1);
      this.checkLimitPending(4);
      const fs = this.fs;
      fs.blocks.push({ nactive: fs.actives.length, isLoop: true });
      this.activate(v);
      const body = this.block(false);
      const b = fs.blocks.pop()!;
      fs.actives.length = b.nactive;
      this.checkMatch(T.End, T.For, line);
      return { k: 'fornum', v, start, limit, step, body, line };
    }
    if (lx.t === 44 || lx.t === T.In) {
      const vars = [this.newVar(n1)];
      while (this.testNext(44)) vars.push(this.newVar(this.checkName()));
      this.checkNext(T.In);
      const eline = lx.line;
      const exprs = this.exprList();
      this.checkNext(T.Do);
      this.checkLimitPending(vars.length + 3);
      const fs = this.fs;
      fs.blocks.push({ nactive: fs.actives.length, isLoop: true });
      for (const v of vars) this.activate(v);
      const body = this.block(false);
      const b = fs.blocks.pop()!;
      fs.actives.length = b.nactive;
      this.checkMatch(T.End, T.For, line);
      return { k: 'forin', vars, exprs, body, line: eline };
    }
    return lx.syntaxError("'=' or 'in' expected");
  }

  private exprStat(): Stat {
    const e = this.primaryExp();
    if (e.k === 'call' || e.k === 'method') return { k: 'call', e };
    const targets: Expr[] = [e];
    const line = this.lx.line;
    for (;;) {
      const last = targets[targets.length - 1];
      if (last.k !== 'local' && last.k !== 'global' && last.k !== 'index') this.lx.syntaxError('syntax error');
      if (this.testNext(44)) {
        targets.push(this.primaryExp());
        continue;
      }
      break;
    }
    this.checkNext(61);
    const exprs = this.exprList();
    return { k: 'assign', targets, exprs, line };
  }

  // ---- functions -------------------------------------------------------------------
  private body(isMethod: boolean, line: number, name: string): FuncNode {
    const node: FuncNode = { params: [], isVararg: false, body: [], line, parent: this.fs.node, name, upvals: new Set() };
    const parentFs = this.fs;
    this.fs = { node, actives: [], blocks: [], parent: parentFs };
    this.checkNext(40);
    if (isMethod) {
      const v = this.newVar('self');
      node.params.push(v);
      this.activate(v);
    }
    if (this.lx.t !== 41) {
      do {
        if (this.lx.t === T.Name) {
          const v = this.newVar(this.lx.tval as string);
          this.lx.next();
          node.params.push(v);
          this.activate(v);
        } else if (this.lx.t === T.Dots) {
          this.lx.next();
          node.isVararg = true;
          const av = this.newVar('arg');
          node.argVar = av;
          this.activate(av);
        } else this.lx.syntaxError('<name> or ' + "'...' expected");
      } while (!node.isVararg && this.testNext(44));
    }
    this.checkNext(41);
    node.body = this.block(false);
    this.checkMatch(T.End, T.Function, line);
    this.fs = parentFs;
    return node;
  }

  // ---- expressions -----------------------------------------------------------------
  private exprList(): Expr[] {
    const out = [this.expr()];
    while (this.testNext(44)) out.push(this.expr());
    return out;
  }

  expr(): Expr {
    return this.subExpr(0);
  }

  private subExpr(limit: number): Expr {
    this.enterLevel();
    const lx = this.lx;
    let e: Expr;
    const t = lx.t;
    if (t === T.Not || t === 45 || t === 35) {
      lx.next();
      const a = this.subExpr(UNARY_PRIORITY);
      const line = lx.lastline;
      const op = t === T.Not ? 'not' : t === 45 ? '-' : '#';
      if (op === '-' && a.k === 'num') e = { k: 'num', v: -a.v };
      else e = { k: 'un', op, a, line };
    } else e = this.simpleExp();
    for (;;) {
      const p = BINPRI[lx.t];
      if (p === undefined || p[0] <= limit) break;
      lx.next();
      const b = this.subExpr(p[1]);
      const line = lx.lastline;
      const op = p[2];
      if (op === 'and') e = { k: 'and', a: e, b };
      else if (op === 'or') e = { k: 'or', a: e, b };
      else e = { k: 'bin', op, a: e, b, line };
    }
    this.level--;
    return e;
  }

  private simpleExp(): Expr {
    const lx = this.lx;
    let e: Expr;
    switch (lx.t) {
      case T.Number:
        e = { k: 'num', v: lx.tval as number };
        break;
      case T.String:
        e = { k: 'str', v: lx.tval as string };
        break;
      case T.Nil:
        e = { k: 'nil' };
        break;
      case T.True:
        e = { k: 'true' };
        break;
      case T.False:
        e = { k: 'false' };
        break;
      case T.Dots:
        if (!this.fs.node.isVararg) lx.syntaxError("cannot use '...' outside a vararg function");
        this.fs.node.usesVararg = true;
        e = { k: 'vararg' };
        break;
      case 123:
        return this.constructorExp();
      case T.Function: {
        const line = lx.line;
        lx.next();
        return { k: 'func', f: this.body(false, line, 'anonymous') };
      }
      default:
        return this.primaryExp();
    }
    lx.next();
    return e;
  }

  private prefixExp(): Expr {
    const lx = this.lx;
    if (lx.t === T.Name) {
      const n = lx.tval as string;
      const line = lx.line;
      lx.next();
      const e = this.singleVar(n);
      if (e.k === 'global') e.line = line;
      return e;
    }
    if (lx.t === 40) {
      const line = lx.line;
      lx.next();
      const e = this.expr();
      this.checkMatch(41, 40, line);
      return { k: 'paren', e };
    }
    return lx.syntaxError('unexpected symbol');
  }

  private primaryExp(): Expr {
    const lx = this.lx;
    let e = this.prefixExp();
    for (;;) {
      switch (lx.t) {
        case 46: {
          lx.next();
          const line = lx.line;
          const name = this.checkName();
          e = { k: 'index', obj: e, key: { k: 'str', v: name }, line: lx.lastline || line };
          break;
        }
        case 91: {
          lx.next();
          const key = this.expr();
          const line = lx.line;
          this.checkNext(93);
          e = { k: 'index', obj: e, key, line };
          break;
        }
        case 58: {
          lx.next();
          const name = this.checkName();
          const line = lx.line;
          const args = this.funcArgs();
          e = { k: 'method', obj: e, name, args, line: this.callLine(line) };
          break;
        }
        case 40:
        case T.String:
        case 123: {
          const line = lx.line;
          const args = this.funcArgs();
          e = { k: 'call', fn: e, args, line: this.callLine(line) };
          break;
        }
        default:
          return e;
      }
    }
  }

  private callLine(line: number): number {
    return line;
  }

  private funcArgs(): Expr[] {
    const lx = this.lx;
    switch (lx.t) {
      case 40: {
        const line = lx.line;
        if (line !== lx.lastline) lx.syntaxError('ambiguous syntax (function call x new statement)');
        lx.next();
        let args: Expr[] = [];
        if (this.tk() !== 41) args = this.exprList();
        this.checkMatch(41, 40, line);
        return args;
      }
      case 123:
        return [this.constructorExp()];
      case T.String: {
        const s = lx.tval as string;
        lx.next();
        return [{ k: 'str', v: s }];
      }
      default:
        return lx.syntaxError('function arguments expected');
    }
  }

  private constructorExp(): Expr {
    const lx = this.lx;
    const line = lx.line;
    this.checkNext(123);
    const items: Expr[] = [];
    const fields: [Expr, Expr][] = [];
    do {
      if (lx.t === 125) break;
      if (lx.t === T.Name) {
        if (lx.lookahead() !== 61) items.push(this.expr());
        else {
          const key: Expr = { k: 'str', v: this.checkName() };
          this.checkNext(61);
          fields.push([key, this.expr()]);
        }
      } else if (lx.t === 91) {
        lx.next();
        const key = this.expr();
        this.checkNext(93);
        this.checkNext(61);
        fields.push([key, this.expr()]);
      } else items.push(this.expr());
    } while (this.testNext(44) || this.testNext(59));
    this.checkMatch(125, 123, line);
    // keep source order of evaluation: record order via interleaving marker
    return { k: 'table', items, fields, line };
  }
}

export function parse(src: string, chunkname: string): FuncNode {
  return new Parser(src, chunkname).parseChunk();
}
