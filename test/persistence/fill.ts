/*
 * Data sets for persistence tests: commands filling one db with every type
 * Nodis implements, in small and large encodings, with and without TTLs.
 */

export function fillCommands(db: number): string[][] {
  const cmds: string[][] = [];
  const p = `d${db}:`;
  // strings
  cmds.push(['SET', p + 'int', '12345'], ['SET', p + 'neg', '-7'], ['SET', p + 'big-int', '9223372036854775807']);
  cmds.push(['SET', p + 'short', 'hello'], ['SET', p + 'compressible', 'a'.repeat(500)], ['SET', p + 'empty', '']);
  let bin = '';
  for (let i = 0; i < 256; i++) bin += String.fromCharCode(i);
  cmds.push(['SET', p + 'binary', bin]);
  cmds.push(['SET', p + 'ttl', 'v', 'PX', '1000000'], ['SET', p + 'long-ttl', 'v', 'EX', '99999999']);
  // hashes
  cmds.push(['HSET', p + 'hash-small', 'a', '1', 'b', 'two', 'c', '-3', 'd', 'x'.repeat(60)]);
  const big: string[] = ['HSET', p + 'hash-big'];
  for (let i = 0; i < 600; i++) big.push('field' + i, i % 3 === 0 ? String(i) : 'value' + i);
  cmds.push(big);
  cmds.push(['HSET', p + 'hash-longval', 'f', 'y'.repeat(100)]);
  cmds.push(['EXPIRE', p + 'hash-small', '50000']);
  // sets
  cmds.push(['SADD', p + 'intset', '1', '2', '3', '-100', '70000', '5000000000']);
  cmds.push(['SADD', p + 'set-small', 'a', 'b', 'c', '1']);
  const bs: string[] = ['SADD', p + 'set-big'];
  for (let i = 0; i < 300; i++) bs.push('m' + i);
  cmds.push(bs);
  const bi: string[] = ['SADD', p + 'intset-big'];
  for (let i = 0; i < 700; i++) bi.push(String(i * 3));
  cmds.push(bi);
  // sorted sets
  cmds.push(['ZADD', p + 'zset-small', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'top', '-inf', 'bottom', '0.1', 'tenth']);
  const bz: string[] = ['ZADD', p + 'zset-big'];
  for (let i = 0; i < 200; i++) bz.push(String(i * 1.5 - 100), 'member' + i);
  cmds.push(bz);
  cmds.push(['ZADD', p + 'zset-longmember', '3.14159', 'z'.repeat(100)]);
  // lists
  cmds.push(['RPUSH', p + 'list-small', 'a', '1', '-2', 'hello', '300', '70000', '5000000000']);
  const bl: string[] = ['RPUSH', p + 'list-big'];
  for (let i = 0; i < 2000; i++) bl.push(i % 2 ? String(i) : 'element-' + i);
  cmds.push(bl);
  cmds.push(['LPUSH', p + 'list-long', 'q'.repeat(10000), 'r'.repeat(100)]);
  // streams
  for (let i = 1; i <= 250; i++) cmds.push(['XADD', p + 'stream', `${1000 + i}-${i % 3}`, 'f1', 'v' + i, 'f2', String(i)]);
  cmds.push(['XADD', p + 'stream', '2000-0', 'other', 'fields']);
  cmds.push(['XDEL', p + 'stream', '1005-2', '1100-1']);
  cmds.push(['XGROUP', 'CREATE', p + 'stream', 'g1', '0']);
  cmds.push(['XGROUP', 'CREATE', p + 'stream', 'g2', '1200-0']);
  cmds.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', p + 'stream', '>']);
  cmds.push(['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', p + 'stream', '>']);
  cmds.push(['XGROUP', 'CREATECONSUMER', p + 'stream', 'g2', 'carol']);
  cmds.push(['XADD', p + 'stream-empty', '5-5', 'a', 'b']);
  cmds.push(['XDEL', p + 'stream-empty', '5-5']);
  return cmds;
}
