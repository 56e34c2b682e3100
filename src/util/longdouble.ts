/*
 * x87 80-bit long double arithmetic, as Redis uses for INCRBYFLOAT and
 * HINCRBYFLOAT: parse (strtold), add, and print ("%.17Lf" with trailing zeros
 * removed). JS numbers are 64-bit doubles, whose rounding differs (0.1+0.2
 * gives 0.30000000000000004 where Redis answers 0.3), so the value is kept
 * exactly as a 64-bit mantissa and a binary exponent, with BigInt.
 */

const MANT_BITS = 64n;
const MAX_EXP = 16384; // values >= 2^16384 overflow to infinity
const MIN_EXP = -16445; // smallest subnormal exponent of the 64-bit mantissa format

/** A finite long double: mant * 2^exp, mant a BigInt with |mant| < 2^64. */
export interface LongDouble {
  mant: bigint;
  exp: number;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Round num/den * 2^shift... to a 64-bit mantissa (round half to even). Null on overflow. */
function roundRational(negative: boolean, num: bigint, den: bigint): LongDouble | null {
  if (num === 0n) return { mant: 0n, exp: 0 };
  // Find exp such that 2^63 <= num/den * 2^-exp < 2^64.
  let exp = bitLength(num) - bitLength(den) - 64;
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = exp < 0 ? num << BigInt(-exp) : num;
    d = exp > 0 ? den << BigInt(exp) : den;
    q = n / d;
    r = n % d;
    if (q >= 1n << MANT_BITS) exp++;
    else if (q < 1n << (MANT_BITS - 1n)) exp--;
    else break;
  }
  if (exp < MIN_EXP) {
    // Subnormal or underflow: treat as zero (far below anything Redis prints).
    return { mant: 0n, exp: 0 };
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  if (q === 1n << MANT_BITS) {
    q >>= 1n;
    exp++;
  }
  if (exp + 64 > MAX_EXP) return null;
  return { mant: negative ? -q : q, exp };
}

const DEC_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** strtold of a decimal text. 'inf' for infinities, null when not a number. */
export function parseLongDoubleExact(s: string): LongDouble | 'inf' | null {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return 'inf';
  const m = DEC_RE.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const neg = m[1] === '-';
  const digits = (m[2] + (m[3] ?? '')).replace(/^0+/, '') || '0';
  let exp10 = Number(m[4] ?? '0') - (m[3] ?? '').length;
  if (digits === '0') return { mant: 0n, exp: 0 };
  if (exp10 > 5000) return 'inf';
  if (exp10 < -6000) return { mant: 0n, exp: 0 };
  let num = BigInt(digits);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  exp10 = 0;
  const r = roundRational(neg, num, den);
  return r === null ? 'inf' : r;
}

/** a + b, rounded to a long double. Null on overflow. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const sum = (a.mant << BigInt(a.exp - e)) + (b.mant << BigInt(b.exp - e));
  if (sum === 0n) return { mant: 0n, exp: 0 };
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  // abs * 2^e, as a rational with den 1 (e >= 0) or 2^-e.
  return e >= 0 ? roundRational(neg, abs << BigInt(e), 1n) : roundRational(neg, abs, 1n << BigInt(-e));
}

/** "%.17Lf" with trailing zeros (and a trailing dot) removed, "-0" printed as "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.mant === 0n) return '0';
  const neg = v.mant < 0n;
  const m = neg ? -v.mant : v.mant;
  const scale = 10n ** 17n;
  let q: bigint;
  if (v.exp >= 0) q = (m << BigInt(v.exp)) * scale;
  else {
    const num = m * scale;
    const den = 1n << BigInt(-v.exp);
    q = num / den;
    const r = num % den;
    const twice = 2n * r;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  }
  let s = q.toString().padStart(18, '0');
  s = s.slice(0, s.length - 17) + '.' + s.slice(s.length - 17);
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s === '0' || s === '-0') return '0';
  return (neg ? '-' : '') + s;
}

/**
 * INCRBYFLOAT arithmetic: current text + increment text. Returns the new
 * text, 'nan-or-inf' when the result is not finite, or null when an operand
 * is not a valid number.
 */
export function incrByFloatText(current: string, incr: string): string | 'nan-or-inf' | 'bad-current' | 'bad-incr' {
  const a = parseLongDoubleExact(current);
  if (a === null) return 'bad-current';
  const b = parseLongDoubleExact(incr);
  if (b === null) return 'bad-incr';
  if (a === 'inf' || b === 'inf') return 'nan-or-inf';
  const r = addLongDouble(a, b);
  if (r === null) return 'nan-or-inf';
  return formatLongDoubleHuman(r);
}
