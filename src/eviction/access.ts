/*
 * Per-key access data for the LRU and LFU policies, packed in one small
 * integer (a V8 Smi, so a Map of them stores no heap numbers):
 *
 * - LRU: a 24-bit clock in seconds (wall time / 1000, wrapping every ~194
 *   days); idle time is the wrapped difference with the current clock.
 * - LFU: bits 8..23 hold the time of the last decrement in minutes (16 bits,
 *   wrapping every ~45 days), bits 0..7 a logarithmic access counter: a hit
 *   raises it with probability 1 / ((counter - 5) * lfu-log-factor + 1), and
 *   it loses one point per lfu-decay-time minutes without access. New keys
 *   start at 5 so that they are not evicted before they had a chance.
 *
 * Which of the two a value holds depends on the current policy, as in Redis:
 * after switching, old values are read with the new meaning until touched.
 */

export const LRU_BITS = 24;
export const LRU_MAX = (1 << LRU_BITS) - 1;
export const LFU_INIT = 5;

/** The LRU clock for a wall time in ms. */
export function lruClockOf(ms: number): number {
  return Math.floor(ms / 1000) & LRU_MAX;
}

/** Idle seconds of a key whose LRU field is `lru`, at clock `now`. */
export function lruIdleSeconds(lru: number, now: number): number {
  return (now - lru) & LRU_MAX;
}

/** Minutes clock (16 bits) for a wall time in ms. */
export function lfuMinutesOf(ms: number): number {
  return Math.floor(ms / 60000) & 0xffff;
}

/** The counter of a packed LFU value after applying the decay due at minute `nowMin`. */
export function lfuDecayed(packed: number, nowMin: number, decayTime: number): number {
  const counter = packed & 0xff;
  if (decayTime <= 0) return counter;
  const elapsed = (nowMin - (packed >>> 8)) & 0xffff;
  const periods = Math.floor(elapsed / decayTime);
  return periods >= counter ? 0 : counter - periods;
}

/** One access: the counter maybe grows by one (logarithmically less likely as it rises). */
export function lfuBump(counter: number, logFactor: number): number {
  if (counter >= 255) return 255;
  const base = counter > LFU_INIT ? counter - LFU_INIT : 0;
  return Math.random() * (base * logFactor + 1) < 1 ? counter + 1 : counter;
}

export function lfuPack(nowMin: number, counter: number): number {
  return (nowMin << 8) | counter;
}
