/*
 * Short strings from request bytes: Buffer#latin1Slice against the parser's
 * latin1() (src/protocol/latin1.ts). Prints ns per string for the sizes of
 * redis-benchmark's command names, keys and values.
 *   npm run build && node dist/bench/latin1-bench.js
 */
import { latin1 } from '../src/protocol/latin1';

const req = Buffer.from('*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n'.repeat(1000), 'latin1');
const REQ = 45;

function run(name: string, f: (b: Buffer, s: number, e: number) => string, from: number, to: number): number {
  let sink = 0;
  const rounds = 3000;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < 1000; i++) sink += f(req, i * REQ + from, i * REQ + to).length;
  const ns = Number(process.hrtime.bigint() - t0) / (rounds * 1000);
  if (sink === 0) console.log(name);
  return ns;
}

const slice = (b: Buffer, s: number, e: number): string => b.latin1Slice(s, e);
console.log(`${'bytes'.padEnd(6)} ${'latin1Slice'.padStart(12)} ${'latin1()'.padStart(10)} ratio`);
for (let pass = 0; pass < 2; pass++) {
  for (const [from, to] of [[8, 11], [18, 26], [18, 34]]) {
    const a = run('slice', slice, from, to);
    const b = run('latin1', latin1, from, to);
    if (pass === 1) console.log(`${String(to - from).padEnd(6)} ${a.toFixed(1).padStart(10)}ns ${b.toFixed(1).padStart(8)}ns ${(a / b).toFixed(2)}`);
  }
}
