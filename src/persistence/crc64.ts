/*
 * CRC-64 with the Jones polynomial, as used by RDB files and DUMP payloads:
 * reflected input and output, initial value 0, no final xor
 * (normal form 0xad93d23594c935a9; check value of "123456789" is
 * 0xe9c6d914c4b8d9ca).
 *
 * JS has no fast 64-bit integers, so the register is kept as two 32-bit
 * halves and the table is split the same way. Eight tables ("slicing by 8")
 * let the inner loop consume eight bytes per step.
 */

const POLY_LO = 0xac4bc9b5; // reflected polynomial 0x95ac9329ac4bc9b5
const POLY_HI = 0x95ac9329;

// T[k] for k = 0..7, lo half at [k*512 + i], hi half at [k*512 + 256 + i].
const T = new Uint32Array(8 * 512);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let b = 0; b < 8; b++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    T[i] = lo;
    T[256 + i] = hi;
  }
  for (let k = 1; k < 8; k++) {
    const prev = (k - 1) * 512;
    const cur = k * 512;
    for (let i = 0; i < 256; i++) {
      const lo = T[prev + i];
      const hi = T[prev + 256 + i];
      const idx = lo & 0xff;
      T[cur + i] = (((lo >>> 8) | (hi << 24)) ^ T[idx]) >>> 0;
      T[cur + 256 + i] = ((hi >>> 8) ^ T[256 + idx]) >>> 0;
    }
  }
})();

/** An incremental CRC-64 register. */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const stop8 = end - ((end - i) & 7);
    while (i < stop8) {
      lo ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
      hi ^= buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
      const a0 = lo & 0xff, a1 = (lo >>> 8) & 0xff, a2 = (lo >>> 16) & 0xff, a3 = lo >>> 24;
      const b0 = hi & 0xff, b1 = (hi >>> 8) & 0xff, b2 = (hi >>> 16) & 0xff, b3 = hi >>> 24;
      lo = T[7 * 512 + a0] ^ T[6 * 512 + a1] ^ T[5 * 512 + a2] ^ T[4 * 512 + a3] ^
        T[3 * 512 + b0] ^ T[2 * 512 + b1] ^ T[512 + b2] ^ T[b3];
      hi = T[7 * 512 + 256 + a0] ^ T[6 * 512 + 256 + a1] ^ T[5 * 512 + 256 + a2] ^ T[4 * 512 + 256 + a3] ^
        T[3 * 512 + 256 + b0] ^ T[2 * 512 + 256 + b1] ^ T[512 + 256 + b2] ^ T[256 + b3];
      i += 8;
    }
    while (i < end) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T[idx];
      hi = (hi >>> 8) ^ T[256 + idx];
      i++;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The CRC as 8 little-endian bytes (how RDB files and DUMP payloads store it). */
  digestLE(): Buffer {
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32LE(this.lo >>> 0, 0);
    b.writeUInt32LE(this.hi >>> 0, 4);
    return b;
  }

  /** The CRC as a bigint. */
  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  hex(): string {
    return this.value().toString(16);
  }
}

/** CRC-64 of a whole buffer (or a range). */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): Crc64 {
  return new Crc64().update(buf, start, end);
}
