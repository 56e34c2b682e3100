/*
 * Key → hash slot: CRC16 (XMODEM variant: polynomial 0x1021, initial value 0,
 * no reflection) of the key modulo 16384. When the key holds a `{...}` with
 * at least one byte between the first '{' and the next '}', only those bytes
 * are hashed (hash tags), so related keys can share a slot.
 *
 * Keys are latin1 strings (one char per byte), so charCodeAt gives the byte.
 */

export const CLUSTER_SLOTS = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let v = i << 8;
  for (let b = 0; b < 8; b++) v = v & 0x8000 ? ((v << 1) ^ 0x1021) & 0xffff : (v << 1) & 0xffff;
  TABLE[i] = v;
}

/** CRC16-XMODEM of s[from, to) (latin1 chars as bytes). */
export function crc16(s: string, from = 0, to = s.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/** The hash slot of a key (hash tags honoured). */
export function keyHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  return crc16(key) & (CLUSTER_SLOTS - 1);
}
