// Lua 5.1 lexer (llex.c semantics, error texts included).
import { LuaError, str2number } from './value';

export const enum T {
  // reserved words
  And = 257, Break, Do, Else, Elseif, End, False, For, Function, If, In, Local, Nil, Not, Or,
  Repeat, Return, Then, True, Until, While,
  // other terminals
  Concat, Dots, Eq, Ge, Le, Ne, Number, Name, String, Eos,
}

const RESERVED: Record<string, T> = {
  and: T.And, break: T.Break, do: T.Do, else: T.Else, elseif: T.Elseif, end: T.End,
  false: T.False, for: T.For, function: T.Function, if: T.If, in: T.In, local: T.Local,
  nil: T.Nil, not: T.Not, or: T.Or, repeat: T.Repeat, return: T.Return, then: T.Then,
  true: T.True, until: T.Until, while: T.While,
};

const TOKEN_NAMES = [
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'if', 'in',
  'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
  '..', '...', '==', '>=', '<=', '~=', '<number>', '<name>', '<string>', '<eof>',
];

export function token2str(t: number): string {
  if (t < 257) {
    if (t < 32 || t === 127) return 'char(' + t + ')';
    return String.fromCharCode(t);
  }
  return TOKEN_NAMES[t - 257];
}

/** luaO_chunkid */
export function chunkId(source: string): string {
  if (source[0] === '=') return source.slice(1, 60);
  if (source[0] === '@') {
    const s = source.slice(1);
    const max = 60 - 8;
    return s.length > max ? '...' + s.slice(s.length - max) : s;
  }
  let len = source.search(/[\n\r]/);
  if (len < 0) len = source.length;
  const max = 60 - 17;
  let truncated = len < source.length;
  if (len > max) {
    len = max;
    truncated = true;
  }
  return '[string "' + source.slice(0, len) + (truncated ? '...' : '') + '"]';
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

export class Lexer {
  pos = 0;
  line = 1;
  // current token
  t: number = T.Eos;
  tval: string | number | undefined = undefined;
  traw = '';
  tline = 1;
  // lookahead
  private la: number = T.Eos;
  private laval: string | number | undefined = undefined;
  private laraw = '';
  private laline = 1;
  private hasLa = false;
  lastline = 1;
  readonly chunk: string;

  constructor(private src: string, chunkname: string) {
    this.chunk = chunkId(chunkname);
    // skip first line if it starts with '#'
    if (src.charCodeAt(0) === 35) {
      while (this.pos < src.length && src.charCodeAt(this.pos) !== 10 && src.charCodeAt(this.pos) !== 13) this.pos++;
    }
  }

  error(msg: string, token?: number, raw?: string): never {
    let m = this.chunk + ':' + this.line + ': ' + msg;
    // Lua 5.1 tests `if (token)`: a NUL character (token 0) gets no "near" part.
    if (token !== undefined && token !== 0) {
      const txt = token === T.Name || token === T.String || token === T.Number ? raw ?? this.traw : token2str(token);
      m += " near '" + txt + "'";
    }
    throw new LuaError(m);
  }

  syntaxError(msg: string): never {
    return this.error(msg, this.t, this.traw);
  }

  next(): void {
    this.lastline = this.line;
    if (this.hasLa) {
      this.t = this.la;
      this.tval = this.laval;
      this.traw = this.laraw;
      this.tline = this.laline;
      this.hasLa = false;
      return;
    }
    this.t = this.scan();
    this.tline = this.line;
  }

  lookahead(): number {
    if (!this.hasLa) {
      const t = this.t, v = this.tval, r = this.traw;
      this.la = this.scan();
      this.laval = this.tval;
      this.laraw = this.traw;
      this.laline = this.line;
      this.t = t;
      this.tval = v;
      this.traw = r;
      this.hasLa = true;
    }
    return this.la;
  }

  private newline(): void {
    const s = this.src;
    const old = s.charCodeAt(this.pos);
    this.pos++;
    const c = s.charCodeAt(this.pos);
    if ((c === 10 || c === 13) && c !== old) this.pos++;
    this.line++;
  }

  private scan(): number {
    const s = this.src;
    const n = s.length;
    for (;;) {
      if (this.pos >= n) {
        this.traw = '<eof>';
        return T.Eos;
      }
      const c = s.charCodeAt(this.pos);
      switch (c) {
        case 10:
        case 13:
          this.newline();
          continue;
        case 45: // '-'
          if (s.charCodeAt(this.pos + 1) !== 45) {
            this.pos++;
            return 45;
          }
          this.pos += 2;
          if (s.charCodeAt(this.pos) === 91) {
            const sep = this.skipSep();
            if (sep >= 0) {
              this.readLong(sep, true);
              continue;
            }
          }
          while (this.pos < n && s.charCodeAt(this.pos) !== 10 && s.charCodeAt(this.pos) !== 13) this.pos++;
          continue;
        case 91: {
          // '['
          const sep = this.skipSep();
          if (sep >= 0) {
            this.tval = this.readLong(sep, false);
            return T.String;
          }
          if (sep === -1) return 91;
          this.traw = '[' + '='.repeat(-sep - 1);
          this.error('invalid long string delimiter', T.String, this.traw);
        }
        // falls through (unreachable)
        case 61:
          this.pos++;
          if (s.charCodeAt(this.pos) !== 61) return 61;
          this.pos++;
          return T.Eq;
        case 60:
          this.pos++;
          if (s.charCodeAt(this.pos) !== 61) return 60;
          this.pos++;
          return T.Le;
        case 62:
          this.pos++;
          if (s.charCodeAt(this.pos) !== 61) return 62;
          this.pos++;
          return T.Ge;
        case 126:
          this.pos++;
          if (s.charCodeAt(this.pos) !== 61) return 126;
          this.pos++;
          return T.Ne;
        case 34:
        case 39:
          this.tval = this.readString(c);
          return T.String;
        case 46:
          if (s.charCodeAt(this.pos + 1) === 46) {
            if (s.charCodeAt(this.pos + 2) === 46) {
              this.pos += 3;
              return T.Dots;
            }
            this.pos += 2;
            return T.Concat;
          }
          if (!isDigit(s.charCodeAt(this.pos + 1))) {
            this.pos++;
            return 46;
          }
          return this.readNumber();
        default:
          if (c === 32 || c === 9 || c === 11 || c === 12) {
            this.pos++;
            continue;
          }
          if (isDigit(c)) return this.readNumber();
          if (isAlpha(c)) {
            const st = this.pos;
            while (this.pos < n && isAlnum(s.charCodeAt(this.pos))) this.pos++;
            const w = s.slice(st, this.pos);
            const r = RESERVED[w];
            if (r !== undefined && Object.prototype.hasOwnProperty.call(RESERVED, w)) return r;
            this.tval = w;
            this.traw = w;
            return T.Name;
          }
          this.pos++;
          return c;
      }
    }
  }

  private readNumber(): number {
    const s = this.src;
    const st = this.pos;
    let c = s.charCodeAt(this.pos);
    while (isDigit(c) || c === 46) c = s.charCodeAt(++this.pos);
    if (c === 69 || c === 101) {
      c = s.charCodeAt(++this.pos);
      if (c === 43 || c === 45) c = s.charCodeAt(++this.pos);
    }
    while (isAlnum(c)) c = s.charCodeAt(++this.pos);
    const raw = s.slice(st, this.pos);
    this.traw = raw;
    const v = str2number(raw);
    if (v === undefined) this.error('malformed number', T.Number, raw);
    this.tval = v;
    return T.Number;
  }

  /** returns sep count if '[' '='* '[', or -(count+1) otherwise; consumes up to last '[' or '=' */
  private skipSep(): number {
    const s = this.src;
    const open = s.charCodeAt(this.pos);
    let count = 0;
    this.pos++;
    while (s.charCodeAt(this.pos) === 61) {
      this.pos++;
      count++;
    }
    if (s.charCodeAt(this.pos) === open) {
      this.pos++;
      return count;
    }
    return -count - 1;
  }

  private readLong(sep: number, comment: boolean): string {
    const s = this.src;
    const n = s.length;
    const c0 = s.charCodeAt(this.pos);
    if (c0 === 10 || c0 === 13) this.newline();
    let out = '';
    let st = this.pos;
    for (;;) {
      if (this.pos >= n) {
        this.traw = '<eof>';
        this.error(comment ? 'unfinished long comment' : 'unfinished long string', T.Eos);
      }
      const c = s.charCodeAt(this.pos);
      if (c === 93) {
        // ']'
        const p0 = this.pos;
        let k = this.pos + 1;
        let cnt = 0;
        while (s.charCodeAt(k) === 61) {
          k++;
          cnt++;
        }
        if (s.charCodeAt(k) === 93 && cnt === sep) {
          out += s.slice(st, p0);
          this.pos = k + 1;
          if (!comment) this.traw = s.slice(p0 - out.length, this.pos);
          return out;
        }
        this.pos = p0 + 1;
      } else if (c === 91) {
        const p0 = this.pos;
        let k = this.pos + 1;
        let cnt = 0;
        while (s.charCodeAt(k) === 61) {
          k++;
          cnt++;
        }
        if (s.charCodeAt(k) === 91 && cnt === sep) {
          this.pos = k + 1;
          if (sep === 0) {
            this.error('nesting of [[...]] is deprecated', 91);
          }
        } else this.pos = p0 + 1;
      } else if (c === 10 || c === 13) {
        out += s.slice(st, this.pos) + '\n';
        this.newline();
        st = this.pos;
      } else this.pos++;
    }
  }

  private readString(del: number): string {
    const s = this.src;
    const n = s.length;
    const start = this.pos;
    this.pos++;
    let out = '';
    let st = this.pos;
    for (;;) {
      if (this.pos >= n) {
        this.traw = '<eof>';
        this.error('unfinished string', T.Eos);
      }
      const c = s.charCodeAt(this.pos);
      if (c === del) break;
      if (c === 10 || c === 13) {
        this.traw = s[start] + out + s.slice(st, this.pos);
        this.error('unfinished string', T.String, this.traw);
      }
      if (c === 92) {
        out += s.slice(st, this.pos);
        this.pos++;
        const e = s.charCodeAt(this.pos);
        let ch: number;
        switch (e) {
          case 97: ch = 7; break;
          case 98: ch = 8; break;
          case 102: ch = 12; break;
          case 110: ch = 10; break;
          case 114: ch = 13; break;
          case 116: ch = 9; break;
          case 118: ch = 11; break;
          case 10:
          case 13:
            this.newline();
            out += '\n';
            st = this.pos;
            continue;
          default:
            if (this.pos >= n) continue; // will raise unfinished string
            if (!isDigit(e)) {
              ch = e;
              break;
            }
            {
              let v = 0;
              let i = 0;
              do {
                v = v * 10 + (s.charCodeAt(this.pos) - 48);
                this.pos++;
                i++;
              } while (i < 3 && isDigit(s.charCodeAt(this.pos)));
              if (v > 255) {
                this.traw = s[start] + out;
                this.error('escape sequence too large', T.String, this.traw);
              }
              out += String.fromCharCode(v);
              st = this.pos;
              continue;
            }
        }
        out += String.fromCharCode(ch);
        this.pos++;
        st = this.pos;
        continue;
      }
      this.pos++;
    }
    out += s.slice(st, this.pos);
    this.pos++;
    this.traw = s.slice(start, this.pos);
    return out;
  }
}
