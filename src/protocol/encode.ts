/*
 * Encoding of commands as RESP multibulk (for propagation to replicas and the AOF).
 */

/** A command as a RESP array of bulk strings, as a latin1 string. */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}
