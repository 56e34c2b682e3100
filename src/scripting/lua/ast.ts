// AST for Lua 5.1 as produced by parser.ts and consumed by compiler.ts.

export interface LocalVar {
  name: string;
  id: number; // unique per chunk, used for the JS identifier
  fn: FuncNode; // function that declares it
}

export type Expr =
  | { k: 'nil' }
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'vararg' }
  | { k: 'func'; f: FuncNode }
  | { k: 'local'; v: LocalVar }
  | { k: 'global'; name: string; line?: number }
  | { k: 'index'; obj: Expr; key: Expr; line: number }
  | { k: 'call'; fn: Expr; args: Expr[]; line: number }
  | { k: 'method'; obj: Expr; name: string; args: Expr[]; line: number }
  | { k: 'bin'; op: string; a: Expr; b: Expr; line: number }
  | { k: 'un'; op: string; a: Expr; line: number }
  | { k: 'and'; a: Expr; b: Expr }
  | { k: 'or'; a: Expr; b: Expr }
  | { k: 'paren'; e: Expr }
  | { k: 'table'; items: Expr[]; fields: [Expr, Expr][]; line: number };

export type Stat =
  | { k: 'local'; vars: LocalVar[]; exprs: Expr[]; line: number }
  | { k: 'assign'; targets: Expr[]; exprs: Expr[]; line: number }
  | { k: 'call'; e: Expr }
  | { k: 'do'; body: Stat[] }
  | { k: 'while'; cond: Expr; body: Stat[] }
  | { k: 'repeat'; body: Stat[]; cond: Expr }
  | { k: 'if'; conds: Expr[]; blocks: Stat[][]; orelse: Stat[] | null }
  | { k: 'fornum'; v: LocalVar; start: Expr; limit: Expr; step: Expr | null; body: Stat[]; line: number }
  | { k: 'forin'; vars: LocalVar[]; exprs: Expr[]; body: Stat[]; line: number }
  | { k: 'localfunc'; v: LocalVar; f: FuncNode }
  | { k: 'return'; exprs: Expr[]; line: number }
  | { k: 'break' };

export interface FuncNode {
  params: LocalVar[];
  isVararg: boolean;
  body: Stat[];
  line: number;
  parent: FuncNode | null;
  name: string; // for diagnostics
  upvals: Set<LocalVar>;
  usesVararg?: boolean;
  argVar?: LocalVar;
}
