/*
 * The command table: every family's commands gathered by name.
 * To add a family, import it here; to add a command, add it to its family's table.
 * A family may also add subcommands to another family's container command
 * (e.g. CLIENT TRACKING) by exporting `subcommands: { client: [...] }`.
 */

import type { CommandDef } from './types';
import * as keyspace from './keyspace';
import * as strings from './strings';
import * as connection from './connection';
import * as transactions from './transactions';
import * as server from './server';

interface Family {
  commands: CommandDef[];
  subcommands?: Record<string, CommandDef[]>;
}

export const families: Family[] = [keyspace, strings, connection, transactions, server];

export function buildCommandTable(): Map<string, CommandDef> {
  const table = new Map<string, CommandDef>();
  for (const f of families) for (const d of f.commands) table.set(d.name, d);
  for (const f of families) {
    if (!f.subcommands) continue;
    for (const [parent, subs] of Object.entries(f.subcommands)) {
      const p = table.get(parent);
      if (!p) continue;
      if (!p.subcommands) p.subcommands = new Map();
      for (const s of subs) {
        const sub = s.name.includes('|') ? s.name.split('|')[1] : s.name;
        s.name = `${parent}|${sub}`;
        s.parent = p;
        p.subcommands.set(sub, s);
      }
    }
  }
  return table;
}
