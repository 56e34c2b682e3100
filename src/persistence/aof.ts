/*
 * The append-only file (placeholder while the AOF lands).
 */

import type { Persistence } from './manager';

export function attachAof(_p: Persistence): void {
  /* AOF not attached yet */
}
