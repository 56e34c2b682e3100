/*
 * The command table: every family's commands gathered by name.
 *
 * Each family is one file in this folder exporting `commands: CommandDef[]`
 * (see keyspace.ts or strings.ts). Families are discovered from this folder
 * at start-up, so adding a family needs no edit here; adding a command means
 * adding one entry to its family's table. A family may also add subcommands
 * to another family's container command (e.g. CLIENT TRACKING) by exporting
 * `subcommands: { client: [...] }`.
 */

import { readdirSync } from 'node:fs';
import type { CommandDef } from './types';

interface Family {
  commands: CommandDef[];
  subcommands?: Record<string, CommandDef[]>;
}

let cachedFamilies: Family[] | null = null;

/** Every family module in this folder (files exporting a `commands` array). */
export function families(): Family[] {
  if (cachedFamilies !== null) return cachedFamilies;
  const out: Family[] = [];
  for (const f of readdirSync(__dirname).sort()) {
    if (!f.endsWith('.js') || f === 'index.js' || f === 'types.js' || f === 'util.js') continue;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    let mod: Partial<Family>;
    try {
      mod = require(`./${f}`) as Partial<Family>;
    } catch (e) {
      // A family that fails to load must not take the whole server down: say so loudly.
      process.stderr.write(`nodis: command family ${f} failed to load: ${(e as Error).message}\n`);
      continue;
    }
    if (Array.isArray(mod.commands)) out.push(mod as Family);
  }
  cachedFamilies = out;
  return out;
}

/** A fresh command table (each server owns its own, for its statistics). */
export function buildCommandTable(): Map<string, CommandDef> {
  const table = new Map<string, CommandDef>();
  for (const f of families()) for (const d of f.commands) table.set(d.name, cloneDef(d));
  for (const f of families()) {
    if (!f.subcommands) continue;
    for (const [parent, subs] of Object.entries(f.subcommands)) {
      const p = table.get(parent);
      if (!p) continue;
      if (!p.subcommands) p.subcommands = new Map();
      for (const s0 of subs) {
        const s = cloneDef(s0);
        const sub = s.name.includes('|') ? s.name.split('|')[1] : s.name;
        s.name = `${parent}|${sub}`;
        s.parent = p;
        p.subcommands.set(sub, s);
      }
    }
  }
  return table;
}

/** Copy a definition so each server keeps its own call statistics. */
function cloneDef(d: CommandDef): CommandDef {
  const c: CommandDef = { ...d, calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
  if (d.subcommands) {
    c.subcommands = new Map();
    for (const [k, s] of d.subcommands) {
      const sc = cloneDef(s);
      sc.parent = c;
      c.subcommands.set(k, sc);
    }
  }
  return c;
}
