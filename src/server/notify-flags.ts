/*
 * Keyspace notification classes: the letters of `notify-keyspace-events`,
 * their bit values, and the canonical string CONFIG GET prints for a set of
 * flags (so that "KA" reads back as "AK", as Redis does).
 */

export const NOTIFY = {
  KEYSPACE: 1, KEYEVENT: 2, GENERIC: 4, STRING: 8, LIST: 16, SET: 32, HASH: 64, ZSET: 128,
  EXPIRED: 256, EVICTED: 512, STREAM: 1024, KEY_MISS: 2048, MODULE: 4096, NEW: 8192,
} as const;

/** The classes 'A' stands for (not key-miss, not new-key). */
export const NOTIFY_ALL =
  NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET |
  NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

export const NOTIFY_BAD_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

const LETTERS: Record<string, number> = {
  A: NOTIFY_ALL, g: NOTIFY.GENERIC, $: NOTIFY.STRING, l: NOTIFY.LIST, s: NOTIFY.SET, h: NOTIFY.HASH,
  z: NOTIFY.ZSET, x: NOTIFY.EXPIRED, e: NOTIFY.EVICTED, K: NOTIFY.KEYSPACE, E: NOTIFY.KEYEVENT,
  t: NOTIFY.STREAM, m: NOTIFY.KEY_MISS, d: NOTIFY.MODULE, n: NOTIFY.NEW,
};

/** Flags of a class string, or null when it holds an unknown letter. */
export function parseNotifyFlags(s: string): number | null {
  let f = 0;
  for (let i = 0; i < s.length; i++) {
    const bit = LETTERS[s[i]];
    if (bit === undefined) return null;
    f |= bit;
  }
  return f;
}

// Printing order of the single-class letters when not every class is on.
const ORDER: [number, string][] = [
  [NOTIFY.GENERIC, 'g'], [NOTIFY.STRING, '$'], [NOTIFY.LIST, 'l'], [NOTIFY.SET, 's'], [NOTIFY.HASH, 'h'],
  [NOTIFY.ZSET, 'z'], [NOTIFY.EXPIRED, 'x'], [NOTIFY.EVICTED, 'e'], [NOTIFY.STREAM, 't'], [NOTIFY.MODULE, 'd'],
  [NOTIFY.NEW, 'n'],
];

/** The string CONFIG GET shows: 'A' or the class letters, then K, E, m. */
export function notifyFlagsToString(f: number): string {
  let s = '';
  if ((f & NOTIFY_ALL) === NOTIFY_ALL) s = 'A';
  else for (const [bit, ch] of ORDER) if (f & bit) s += ch;
  if (f & NOTIFY.KEYSPACE) s += 'K';
  if (f & NOTIFY.KEYEVENT) s += 'E';
  if (f & NOTIFY.KEY_MISS) s += 'm';
  return s;
}
