/*
 * The server's memory figure (INFO used_memory, maxmemory): the V8 heap
 * without the young generation, plus memory held outside the heap (Buffers).
 * Short-lived garbage lives in the young generation until the next scavenge,
 * so leaving it out keeps the figure from jumping between two commands.
 */

import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

export function usedMemory(): number {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space') used += s.space_used_size;
  return used + getHeapStatistics().external_memory;
}
