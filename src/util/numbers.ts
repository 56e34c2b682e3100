/*
 * Number parsing and printing with Redis's exact rules.
 *
 * Redis accepts integers only in canonical form (string2ll: optional '-', no
 * '+', no leading zeros or spaces, within int64), and doubles as strtod does
 * minus leading spaces, trailing garbage and NaN. Replies print doubles in
 * the shortest form that round-trips, laid out as Redis 7.2's fpconv does.
 */

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parse a canonical int64 as a JS number (exact up to 2^53, the only range most
 * commands need). Null when the text is not a valid int64.
 */
export function parseInt64Num(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i) - 48;
  if (first === 0) return n === 1 ? 0 : null;
  if (first < 1 || first > 9) return null;
  if (n - i <= 15) {
    let v = first;
    for (i++; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  const b = parseInt64(s);
  return b === null ? null : Number(b);
}

/** Parse a canonical int64 exactly, as a BigInt. Null when invalid or out of range. */
export function parseInt64(s: string): bigint | null {
  if (!/^(-?[1-9][0-9]{0,18}|0)$/.test(s)) return null;
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  return b;
}

/** Is `s` the canonical text of an int64 (the "int" string encoding)? */
export function isCanonicalInt(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/** Parse a double as Redis's string2d/strtod (no spaces, no NaN, no overflow). Null if invalid. */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  if (FLOAT_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return null; // ERANGE overflow
    return v;
  }
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  return null;
}

/** Shortest round-trip digits and decimal exponent K (value = digits * 10^K). */
function shortest(d: number): { digits: string; K: number } {
  const e = d.toExponential(); // "d.ddde+X", shortest digits
  const epos = e.indexOf('e');
  const mant = e.slice(0, epos).replace('.', '').replace('-', '');
  const exp = Number(e.slice(epos + 1));
  return { digits: mant, K: exp - (mant.length - 1) };
}

/** Format a double as Redis 7.2 replies do (fpconv_dtoa layout). */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // Integral values within ±2^62 print as integers (Redis's double2ll path).
  if (Number.isInteger(d) && Math.abs(d) < 4611686018427387904) return BigInt(d).toString();
  const neg = d < 0;
  const { digits, K } = shortest(Math.abs(d));
  let nd = digits.length;
  let exp = Math.abs(K + nd - 1);
  const sign = neg ? '-' : '';
  if (K >= 0 && exp < nd + 7) return sign + digits + '0'.repeat(K);
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd - Math.abs(K);
    if (offset <= 0) return sign + '0.' + '0'.repeat(-offset) + digits;
    return sign + digits.slice(0, offset) + '.' + digits.slice(offset);
  }
  nd = Math.min(nd, 18 - (neg ? 1 : 0));
  let out = digits[0];
  if (nd > 1) out += '.' + digits.slice(1, nd);
  out += 'e' + (K + digits.length - 1 < 0 ? '-' : '+');
  exp = Math.abs(K + digits.length - 1);
  out += String(exp);
  return sign + out;
}

/**
 * Format a double in fixed notation, shortest digits, as Redis prints long
 * doubles for INCRBYFLOAT/HINCRBYFLOAT ("%.17Lf" with trailing zeros removed).
 */
export function formatDoubleHuman(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return '0';
  const neg = d < 0;
  const { digits, K } = shortest(Math.abs(d));
  let s: string;
  if (K >= 0) s = digits + '0'.repeat(K);
  else {
    const offset = digits.length + K;
    if (offset <= 0) s = '0.' + '0'.repeat(-offset) + digits;
    else s = digits.slice(0, offset) + '.' + digits.slice(offset);
    // %.17Lf keeps at most 17 decimals
    const dot = s.indexOf('.');
    if (dot >= 0 && s.length - dot - 1 > 17) {
      s = Number(s).toFixed(17).replace(/0+$/, '').replace(/\.$/, '');
      if (s === '0') return '0';
    }
  }
  return (neg ? '-' : '') + s;
}

/** Format as C's "%.17g" (used by a few older replies and by DEBUG). */
export function formatG17(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  return formatG(d, 17);
}

/** C's "%.{prec}g". */
export function formatG(d: number, prec: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(prec - 1);
  const epos = e.indexOf('e');
  const exp = Number(e.slice(epos + 1));
  if (exp < -4 || exp >= prec) {
    let mant = e.slice(0, epos);
    if (mant.indexOf('.') >= 0) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(exp);
    return mant + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  }
  let f = d.toFixed(Math.max(0, prec - 1 - exp));
  if (f.indexOf('.') >= 0) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}
