/*
 * LZF compression, the format RDB uses for compressed strings.
 *
 * The stream is a sequence of runs, each introduced by a control byte c:
 *   c < 32        a literal run of c+1 bytes follows;
 *   c >= 32       a back reference: length field L = c >> 5 (7 means "7 plus
 *                 the next byte"), offset = ((c & 31) << 8 | next byte) + 1
 *                 back from the output position; L+2 bytes are copied (the
 *                 source may overlap the destination).
 * The compressor below finds 3-byte matches with a hash table of recent
 * positions; any valid stream decodes the same with any LZF decoder.
 */

const HLOG = 14;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3); // 264: longest back reference

// Positions are stored offset by `gen`, so that entries from earlier calls
// (below the current `gen`) count as empty without clearing the table.
const htab = new Int32Array(HSIZE);
let gen = 1;

function hash3(a: number, b: number, c: number): number {
  const v = (a << 16) | (b << 8) | c;
  return (Math.imul(v, 0x9e3779b1) >>> (32 - HLOG)) & (HSIZE - 1);
}

/**
 * Compress `src` into at most `maxOut` bytes. Returns the compressed bytes,
 * or null when the result would not fit (the caller then stores the string
 * uncompressed).
 */
export function lzfCompress(src: Uint8Array, maxOut: number): Buffer | null {
  const n = src.length;
  if (n < 4 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut + MAX_LIT + 8);
  if (gen > 0x7fffffff - n - 2) {
    htab.fill(0);
    gen = 1;
  }
  const base = gen;
  gen += n + 1;
  let op = 1; // leave room for the first literal control byte
  let litStart = 0; // position of the current literal run's control byte
  let lit = 0;
  let ip = 0;
  const limit = maxOut;
  while (ip < n - 2) {
    const h = hash3(src[ip], src[ip + 1], src[ip + 2]);
    const stored = htab[h];
    const ref = stored >= base ? stored - base : -1;
    htab[h] = ip + base;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      // Match: extend it.
      let len = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (len < maxLen && src[ref + len] === src[ip + len]) len++;
      // Close the pending literal run.
      if (lit > 0) out[litStart] = lit - 1;
      else op--; // no literal: reuse the reserved control byte slot
      if (op + 3 > limit) return null;
      const l = len - 2;
      if (l < 7) out[op++] = (l << 5) | (off >> 8);
      else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      // Index the positions inside the match (cheaply: the last two).
      ip += len;
      if (ip < n - 2) {
        htab[hash3(src[ip - 2], src[ip - 1], src[ip])] = ip - 2 + base;
      }
      // Start a new literal run.
      litStart = op++;
      lit = 0;
      if (op > limit) return null;
      continue;
    }
    out[op++] = src[ip++];
    lit++;
    if (lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op++;
      lit = 0;
    }
    if (op > limit) return null;
  }
  while (ip < n) {
    out[op++] = src[ip++];
    lit++;
    if (lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op++;
      lit = 0;
    }
    if (op > limit + 1) return null;
  }
  if (lit > 0) out[litStart] = lit - 1;
  else op--; // drop the unused control byte
  if (op > limit) return null;
  return out.subarray(0, op);
}

/**
 * Decompress exactly `outLen` bytes. Returns null when the stream is
 * malformed (a reference before the start, or a size mismatch).
 */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  const n = src.length;
  while (ip < n) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > outLen || ip + len > n) return null;
      for (let i = 0; i < len; i++) out[op++] = src[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= n) return null;
        len += src[ip++];
      }
      if (ip >= n) return null;
      let ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  return op === outLen ? out : null;
}
