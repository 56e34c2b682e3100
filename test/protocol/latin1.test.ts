import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1 } from '../../src/protocol/latin1';
import { RespParser } from '../../src/protocol/parser';

test('latin1() equals Buffer#latin1Slice for every length and byte value', () => {
  const bytes = Buffer.alloc(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
  for (let start = 0; start < 8; start++) {
    for (let len = 0; len <= 70; len++) {
      assert.equal(latin1(bytes, start, start + len), bytes.latin1Slice(start, start + len), `start ${start} len ${len}`);
    }
  }
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let s = 0; s < 256; s += 16) assert.equal(latin1(all, s, s + 16), all.latin1Slice(s, s + 16));
});

test('command names are reused across requests without mixing up names of equal shape', () => {
  const names = ['SET', 'set', 'GET', 'get', 'SeT', 'ZZZ', 'S\x00T', 'S\xffT', 'PING', 'PINGS', 'X'.repeat(24), 'X'.repeat(25)];
  const p = new RespParser({ maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1 << 30 });
  const seen: string[][] = [];
  for (let round = 0; round < 3; round++) {
    let wire = '';
    for (const n of names) wire += `*2\r\n$${n.length}\r\n${n}\r\n$1\r\nk\r\n`;
    // Split across two reads so both the whole-request path and the state machine run.
    const buf = Buffer.from(wire, 'latin1');
    const cut = 7 + round * 13;
    assert.equal(p.feed(buf.subarray(0, cut), (a) => (seen.push(a), true)), null);
    assert.equal(p.feed(buf.subarray(cut), (a) => (seen.push(a), true)), null);
  }
  assert.deepEqual(seen.map((a) => a[0]), [...names, ...names, ...names]);
});
