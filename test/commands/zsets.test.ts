import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, encodeCommand, sleep, type RunningServer } from '../helpers';

const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | string): string => `:${n}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const bulks = (...items: string[]): string => arr(...items.map(bulk));
const err = (s: string): string => `-${s}\r\n`;
const dbl = (s: string): string => `,${s}\r\n`;
const NIL = '$-1\r\n';
const NILARR = '*-1\r\n';
const EMPTY = '*0\r\n';
const SYNTAX = err('ERR syntax error');
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

describe('sorted sets', () => {
  let srv: RunningServer;
  let c: RawClient;

  before(async () => {
    srv = await startNodis();
    c = await RawClient.connect(srv.port);
    await c.call('SET', 'str', 'v');
  });

  after(async () => {
    c.close();
    await srv.close();
  });

  test('ZADD options, replies and errors', async () => {
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'), int(3));
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '5', 'b', '0', 'x'), int(1));
    assert.equal(await c.call('ZADD', 'z', 'CH', '1', 'a', '6', 'b', '1', 'y'), int(2));
    assert.equal(await c.call('ZADD', 'z', 'NX', '100', 'a', '7', 'n'), int(1));
    assert.equal(await c.call('ZSCORE', 'z', 'a'), bulk('1'));
    assert.equal(await c.call('ZADD', 'z', 'XX', '10', 'a', '7', 'q'), int(0));
    assert.equal(await c.call('ZSCORE', 'z', 'a'), bulk('10'));
    assert.equal(await c.call('EXISTS', 'q'), int(0));
    assert.equal(await c.call('ZADD', 'z', 'GT', 'CH', '5', 'a', '20', 'b'), int(1));
    assert.equal(await c.call('ZADD', 'z', 'LT', 'CH', '5', 'a', '30', 'b'), int(1));
    assert.equal(await c.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), bulks('x', '0', 'y', '1', 'c', '3', 'a', '5', 'n', '7', 'b', '20'));
    assert.equal(await c.call('ZADD', 'z', 'INCR', '2.5', 'a'), bulk('7.5'));
    assert.equal(await c.call('ZADD', 'z', 'LT', 'INCR', '1', 'a'), NIL);
    assert.equal(await c.call('ZADD', 'z', 'XX', 'INCR', '1', 'nope'), NIL);
    assert.equal(await c.call('ZADD', 'nokey', 'XX', '1', 'a'), int(0));
    assert.equal(await c.call('ZADD', 'nokey', 'XX', 'INCR', '1', 'a'), NIL);
    assert.equal(await c.call('EXISTS', 'nokey'), int(0));
    assert.equal(await c.call('ZINCRBY', 'z', '-0.5', 'a'), bulk('7'));
    assert.equal(await c.call('ZINCRBY', 'newz', '3', 'm'), bulk('3'));
    // Errors
    assert.equal(await c.call('ZADD', 'z', 'NX', '1'), SYNTAX);
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2'), SYNTAX);
    assert.equal(await c.call('ZADD', 'z', 'NX', 'XX', '1', 'a'), err('ERR XX and NX options at the same time are not compatible'));
    assert.equal(await c.call('ZADD', 'z', 'GT', 'LT', '1', 'a'), err('ERR GT, LT, and/or NX options at the same time are not compatible'));
    assert.equal(await c.call('ZADD', 'z', 'NX', 'GT', '1', 'a'), err('ERR GT, LT, and/or NX options at the same time are not compatible'));
    assert.equal(await c.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b'), err('ERR INCR option supports a single increment-element pair'));
    assert.equal(await c.call('ZADD', 'z', 'nan', 'a'), err('ERR value is not a valid float'));
    assert.equal(await c.call('ZADD', 'z', '', 'a'), err('ERR value is not a valid float'));
    assert.equal(await c.call('ZADD', 'z2', '1', 'a', 'x', 'b'), err('ERR value is not a valid float'));
    assert.equal(await c.call('EXISTS', 'z2'), int(0));
    assert.equal(await c.call('ZADD', 'inf', '+inf', 'a'), int(1));
    assert.equal(await c.call('ZINCRBY', 'inf', '-inf', 'a'), err('ERR resulting score is not a number (NaN)'));
    assert.equal(await c.call('ZINCRBY', 'z', 'abc', 'a'), err('ERR value is not a valid float'));
    assert.equal(await c.call('ZINCRBY', 'z', '1', 'a', 'b'), err("ERR wrong number of arguments for 'zincrby' command"));
    await c.call('SET', 'str', 'v');
    assert.equal(await c.call('ZADD', 'str', '1', 'a'), WRONGTYPE);
    assert.equal(await c.call('ZSCORE', 'str', 'a'), WRONGTYPE);
    assert.equal(await c.call('ZRANGE', 'str', '0', '1'), WRONGTYPE);
  });

  test('ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK', async () => {
    await c.call('DEL', 'r');
    await c.call('ZADD', 'r', '1', 'a', '2', 'b', '3', 'c', '1.5', 'd');
    assert.equal(await c.call('ZCARD', 'r'), int(4));
    assert.equal(await c.call('ZCARD', 'nokey'), int(0));
    assert.equal(await c.call('ZSCORE', 'r', 'd'), bulk('1.5'));
    assert.equal(await c.call('ZSCORE', 'r', 'zz'), NIL);
    assert.equal(await c.call('ZSCORE', 'nokey', 'zz'), NIL);
    assert.equal(await c.call('ZMSCORE', 'r', 'a', 'zz', 'c'), arr(bulk('1'), NIL, bulk('3')));
    assert.equal(await c.call('ZMSCORE', 'nokey', 'a'), arr(NIL));
    assert.equal(await c.call('ZRANK', 'r', 'b'), int(2));
    assert.equal(await c.call('ZREVRANK', 'r', 'b'), int(1));
    assert.equal(await c.call('ZRANK', 'r', 'zz'), NIL);
    assert.equal(await c.call('ZRANK', 'r', 'b', 'WITHSCORE'), arr(int(2), bulk('2')));
    assert.equal(await c.call('ZREVRANK', 'r', 'a', 'withscore'), arr(int(3), bulk('1')));
    assert.equal(await c.call('ZRANK', 'r', 'zz', 'WITHSCORE'), NILARR);
    assert.equal(await c.call('ZRANK', 'r', 'b', 'foo'), SYNTAX);
    assert.equal(await c.call('ZRANK', 'r', 'b', 'WITHSCORE', 'x'), err("ERR wrong number of arguments for 'zrank' command"));
    assert.equal(await c.call('ZREM', 'r', 'a', 'zz', 'b'), int(2));
    assert.equal(await c.call('ZREM', 'nokey', 'a'), int(0));
    assert.equal(await c.call('ZREM', 'r', 'c', 'd'), int(2));
    assert.equal(await c.call('EXISTS', 'r'), int(0));
  });

  test('ZRANGE by rank, score and lex, REV, LIMIT, WITHSCORES', async () => {
    await c.call('DEL', 'g');
    await c.call('ZADD', 'g', '-inf', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '+inf', 'g');
    assert.equal(await c.call('ZRANGE', 'g', '0', '2'), bulks('a', 'b', 'c'));
    assert.equal(await c.call('ZRANGE', 'g', '-2', '-1', 'WITHSCORES'), bulks('f', '5', 'g', 'inf'));
    assert.equal(await c.call('ZRANGE', 'g', '5', '100'), bulks('f', 'g'));
    assert.equal(await c.call('ZRANGE', 'g', '3', '1'), EMPTY);
    assert.equal(await c.call('ZREVRANGE', 'g', '0', '1', 'WITHSCORES'), bulks('g', 'inf', 'f', '5'));
    assert.equal(await c.call('ZRANGE', 'g', '0', '1', 'REV'), bulks('g', 'f'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '(1', '4'), bulks('c', 'd', 'e'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '-inf', '+inf', 'LIMIT', '2', '3'), bulks('c', 'd', 'e'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '0', '10', 'LIMIT', '-1', '3'), EMPTY);
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '0', '10', 'LIMIT', '1', '-1'), bulks('c', 'd', 'e', 'f'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '0', '10', 'LIMIT', '20', '1'), EMPTY);
    assert.equal(await c.call('ZREVRANGEBYSCORE', 'g', '4', '(1', 'WITHSCORES', 'LIMIT', '1', '1'), bulks('d', '3'));
    assert.equal(await c.call('ZRANGE', 'g', '(4', '2', 'BYSCORE', 'REV'), bulks('d', 'c'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '2.4', '2.6'), EMPTY);
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '(2', '2'), EMPTY);
    // strtod rules: empty text is 0, leading spaces and hexadecimal are fine.
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '', ' 2'), bulks('b', 'c'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '0x2', '0x3'), bulks('c', 'd'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', 'str', '1'), err('ERR min or max is not a float'));
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '1', 'NaN'), err('ERR min or max is not a float'));
    assert.equal(await c.call('ZRANGE', 'g', '0', '-1', 'LIMIT', '0', '1'), err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'));
    assert.equal(await c.call('ZRANGE', 'g', '-', '+', 'BYLEX', 'WITHSCORES'), err('ERR syntax error, WITHSCORES not supported in combination with BYLEX'));
    assert.equal(await c.call('ZREVRANGE', 'g', '0', '-1', 'BYSCORE'), SYNTAX);
    assert.equal(await c.call('ZRANGEBYSCORE', 'g', '0', '-1', 'REV'), SYNTAX);
    assert.equal(await c.call('ZRANGE', 'g', 'a', '1'), err('ERR value is not an integer or out of range'));
    assert.equal(await c.call('ZRANGE', 'nokey', '0', '-1'), EMPTY);

    await c.call('DEL', 'lex');
    await c.call('ZADD', 'lex', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down', '0', 'elephant', '0', 'foo');
    assert.equal(await c.call('ZRANGEBYLEX', 'lex', '-', '[cool'), bulks('alpha', 'bar', 'cool'));
    assert.equal(await c.call('ZRANGEBYLEX', 'lex', '(bar', '(down'), bulks('cool'));
    assert.equal(await c.call('ZRANGEBYLEX', 'lex', '[bar', '+', 'LIMIT', '1', '2'), bulks('cool', 'down'));
    assert.equal(await c.call('ZREVRANGEBYLEX', 'lex', '+', '(cool'), bulks('foo', 'elephant', 'down'));
    assert.equal(await c.call('ZRANGE', 'lex', '[d', '-', 'BYLEX', 'REV', 'LIMIT', '0', '2'), bulks('cool', 'bar'));
    assert.equal(await c.call('ZRANGEBYLEX', 'lex', '+', '-'), EMPTY);
    assert.equal(await c.call('ZRANGEBYLEX', 'lex', 'bar', '+'), err('ERR min or max not valid string range item'));
    assert.equal(await c.call('ZLEXCOUNT', 'lex', '[b', '(e'), int(3));
    assert.equal(await c.call('ZLEXCOUNT', 'lex', '-', '+'), int(6));
    assert.equal(await c.call('ZLEXCOUNT', 'lex', '+x', '+'), err('ERR min or max not valid string range item'));
    assert.equal(await c.call('ZCOUNT', 'g', '(1', '+inf'), int(5));
    assert.equal(await c.call('ZCOUNT', 'g', '-inf', '(-inf'), int(0));
    assert.equal(await c.call('ZCOUNT', 'nokey', '0', '1'), int(0));
    assert.equal(await c.call('ZCOUNT', 'g', 'x', '1'), err('ERR min or max is not a float'));
  });

  test('ZRANGESTORE', async () => {
    await c.call('DEL', 'src', 'dst');
    await c.call('ZADD', 'src', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'src', '1', '-1'), int(3));
    assert.equal(await c.call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES'), bulks('b', '2', 'c', '3', 'd', '4'));
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'src', '(1', '3', 'BYSCORE', 'LIMIT', '1', '5'), int(1));
    assert.equal(await c.call('ZRANGE', 'dst', '0', '-1'), bulks('c'));
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'src', '5', '6'), int(0));
    assert.equal(await c.call('EXISTS', 'dst'), int(0));
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'nokey', '0', '-1'), int(0));
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'src', '0', '-1', 'WITHSCORES'), SYNTAX);
    assert.equal(await c.call('ZRANGESTORE', 'dst', 'str', '0', '-1'), WRONGTYPE);
  });

  test('ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX', async () => {
    await c.call('DEL', 'rr');
    await c.call('ZADD', 'rr', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    assert.equal(await c.call('ZREMRANGEBYRANK', 'rr', '1', '2'), int(2));
    assert.equal(await c.call('ZRANGE', 'rr', '0', '-1'), bulks('a', 'd', 'e'));
    assert.equal(await c.call('ZREMRANGEBYRANK', 'rr', '5', '10'), int(0));
    assert.equal(await c.call('ZREMRANGEBYSCORE', 'rr', '(1', '4'), int(1));
    assert.equal(await c.call('ZREMRANGEBYSCORE', 'rr', 'x', '4'), err('ERR min or max is not a float'));
    assert.equal(await c.call('ZREMRANGEBYRANK', 'rr', '0', '-1'), int(2));
    assert.equal(await c.call('EXISTS', 'rr'), int(0));
    await c.call('ZADD', 'rl', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
    assert.equal(await c.call('ZREMRANGEBYLEX', 'rl', '(a', '[c'), int(2));
    assert.equal(await c.call('ZRANGE', 'rl', '0', '-1'), bulks('a', 'd'));
    assert.equal(await c.call('ZREMRANGEBYLEX', 'rl', 'a', '[c'), err('ERR min or max not valid string range item'));
    assert.equal(await c.call('ZREMRANGEBYLEX', 'nokey', '-', '+'), int(0));
  });

  test('ZUNION, ZINTER, ZDIFF, STORE forms, ZINTERCARD, sets as inputs', async () => {
    await c.call('DEL', 'za', 'zb', 'sa', 'out');
    await c.call('ZADD', 'za', '1', 'a', '2', 'b', '3', 'c');
    await c.call('ZADD', 'zb', '1', 'b', '2', 'c', '3', 'd');
    await c.call('SADD', 'sa', 'a', 'c', 'x');
    assert.equal(await c.call('ZUNION', '2', 'za', 'zb', 'WITHSCORES'), bulks('a', '1', 'b', '3', 'd', '3', 'c', '5'));
    assert.equal(await c.call('ZINTER', '2', 'za', 'zb', 'WITHSCORES'), bulks('b', '3', 'c', '5'));
    assert.equal(await c.call('ZINTER', '2', 'za', 'zb', 'WEIGHTS', '2', '3', 'WITHSCORES'), bulks('b', '7', 'c', '12'));
    assert.equal(await c.call('ZUNION', '2', 'za', 'zb', 'AGGREGATE', 'MAX', 'WITHSCORES'), bulks('a', '1', 'b', '2', 'c', '3', 'd', '3'));
    assert.equal(await c.call('ZUNION', '2', 'za', 'zb', 'AGGREGATE', 'MIN'), bulks('a', 'b', 'c', 'd'));
    assert.equal(await c.call('ZDIFF', '2', 'za', 'zb', 'WITHSCORES'), bulks('a', '1'));
    assert.equal(await c.call('ZINTER', '2', 'za', 'sa', 'WITHSCORES'), bulks('a', '2', 'c', '4'));
    assert.equal(await c.call('ZUNION', '2', 'sa', 'nokey', 'WITHSCORES'), bulks('a', '1', 'c', '1', 'x', '1'));
    assert.equal(await c.call('ZINTERCARD', '2', 'za', 'zb'), int(2));
    assert.equal(await c.call('ZINTERCARD', '2', 'za', 'zb', 'LIMIT', '1'), int(1));
    assert.equal(await c.call('ZINTERCARD', '1', 'za', 'LIMIT', '-1'), err("ERR LIMIT can't be negative"));
    assert.equal(await c.call('ZINTERCARD', '1', 'za', 'zb'), SYNTAX);
    assert.equal(await c.call('ZUNIONSTORE', 'out', '2', 'za', 'zb', 'WEIGHTS', '1', '-1'), int(4));
    assert.equal(await c.call('ZRANGE', 'out', '0', '-1', 'WITHSCORES'), bulks('d', '-3', 'a', '1', 'b', '1', 'c', '1'));
    assert.equal(await c.call('ZINTERSTORE', 'out', '2', 'za', 'nokey'), int(0));
    assert.equal(await c.call('EXISTS', 'out'), int(0));
    assert.equal(await c.call('ZDIFFSTORE', 'out', '2', 'za', 'sa'), int(1));
    assert.equal(await c.call('ZRANGE', 'out', '0', '-1'), bulks('b'));
    assert.equal(await c.call('ZUNION', '0', 'za'), err("ERR at least 1 input key is needed for 'zunion' command"));
    assert.equal(await c.call('ZINTERSTORE', 'out', '0', 'za'), err("ERR at least 1 input key is needed for 'zinterstore' command"));
    assert.equal(await c.call('ZUNION', '3', 'za', 'zb'), SYNTAX);
    assert.equal(await c.call('ZUNION', 'x', 'za'), err('ERR value is not an integer or out of range'));
    assert.equal(await c.call('ZUNIONSTORE', 'out', '1', 'za', 'WITHSCORES'), SYNTAX);
    assert.equal(await c.call('ZDIFF', '1', 'za', 'WEIGHTS', '1'), SYNTAX);
    assert.equal(await c.call('ZUNION', '2', 'za', 'zb', 'WEIGHTS', 'nan', '1'), err('ERR weight value is not a float'));
    assert.equal(await c.call('ZUNION', '1', 'za', 'AGGREGATE', 'AVG'), SYNTAX);
    assert.equal(await c.call('ZUNION', '2', 'za', 'str'), WRONGTYPE);
    // +inf + -inf aggregates to 0.
    await c.call('ZADD', 'i1', '+inf', 'k');
    await c.call('ZADD', 'i2', '-inf', 'k');
    assert.equal(await c.call('ZUNION', '2', 'i1', 'i2', 'WITHSCORES'), bulks('k', '0'));
  });

  test('ZPOPMIN, ZPOPMAX, ZMPOP', async () => {
    await c.call('DEL', 'p', 'p2');
    await c.call('ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    assert.equal(await c.call('ZPOPMIN', 'p'), bulks('a', '1'));
    assert.equal(await c.call('ZPOPMAX', 'p', '2'), bulks('d', '4', 'c', '3'));
    assert.equal(await c.call('ZPOPMIN', 'p', '0'), EMPTY);
    assert.equal(await c.call('ZPOPMIN', 'nokey'), EMPTY);
    assert.equal(await c.call('ZPOPMIN', 'p', '-1'), err('ERR value is out of range, must be positive'));
    assert.equal(await c.call('ZPOPMIN', 'p', '1', '2'), SYNTAX);
    assert.equal(await c.call('ZPOPMAX', 'p', '10'), bulks('b', '2'));
    assert.equal(await c.call('EXISTS', 'p'), int(0));
    await c.call('ZADD', 'p2', '1', 'a', '2', 'b', '3', 'c');
    assert.equal(await c.call('ZMPOP', '2', 'p', 'p2', 'MIN', 'COUNT', '2'), arr(bulk('p2'), arr(bulks('a', '1'), bulks('b', '2'))));
    assert.equal(await c.call('ZMPOP', '1', 'p2', 'max'), arr(bulk('p2'), arr(bulks('c', '3'))));
    assert.equal(await c.call('ZMPOP', '1', 'p2', 'max'), NILARR);
    assert.equal(await c.call('ZMPOP', '0', 'p2', 'max'), err('ERR numkeys should be greater than 0'));
    assert.equal(await c.call('ZMPOP', '1', 'p2', 'mid'), SYNTAX);
    assert.equal(await c.call('ZMPOP', '1', 'p2', 'MIN', 'COUNT', '0'), err('ERR count should be greater than 0'));
    assert.equal(await c.call('ZMPOP', '1', 'p2', 'MIN', 'COUNT', '1', 'COUNT', '2'), SYNTAX);
    assert.equal(await c.call('ZMPOP', '1', 'str', 'MIN'), WRONGTYPE);
  });

  test('RESP3: doubles, WITHSCORES pairs, pops', async () => {
    const r = await RawClient.connect(srv.port);
    try {
      await r.call('HELLO', '3');
      await r.call('ZADD', 'r3', '0', 'a', '1.5', 'b', '3', 'c');
      assert.equal(await r.call('ZSCORE', 'r3', 'b'), dbl('1.5'));
      assert.equal(await r.call('ZSCORE', 'r3', 'zz'), '_\r\n');
      assert.equal(await r.call('ZRANGE', 'r3', '0', '1', 'WITHSCORES'), arr(arr(bulk('a'), dbl('0')), arr(bulk('b'), dbl('1.5'))));
      assert.equal(await r.call('ZRANK', 'r3', 'c', 'WITHSCORE'), arr(int(2), dbl('3')));
      assert.equal(await r.call('ZINCRBY', 'r3', '1', 'c'), dbl('4'));
      assert.equal(await r.call('ZPOPMIN', 'r3'), arr(bulk('a'), dbl('0')));
      assert.equal(await r.call('ZPOPMAX', 'r3', '1'), arr(arr(bulk('c'), dbl('4'))));
      assert.equal(await r.call('ZRANDMEMBER', 'r3', '1', 'WITHSCORES'), arr(arr(bulk('b'), dbl('1.5'))));
      assert.equal(await r.call('ZMPOP', '1', 'nokey', 'MIN'), '_\r\n');
      assert.equal(await r.call('ZADD', 'r3', '+inf', 'i'), int(1));
      assert.equal(await r.call('ZSCORE', 'r3', 'i'), dbl('inf'));
    } finally {
      r.close();
    }
  });

  test('ZRANDMEMBER', async () => {
    await c.call('DEL', 'rm');
    await c.call('ZADD', 'rm', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    const one = await c.call('ZRANDMEMBER', 'rm');
    assert.match(one, /^\$1\r\n[a-e]\r\n$/);
    assert.equal(await c.call('ZRANDMEMBER', 'nokey'), NIL);
    assert.equal(await c.call('ZRANDMEMBER', 'nokey', '5'), EMPTY);
    assert.equal(await c.call('ZRANDMEMBER', 'rm', '0'), EMPTY);
    assert.equal(await c.call('ZRANDMEMBER', 'rm', '10', 'WITHSCORES'), bulks('a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'));
    const uniq = (await c.call('ZRANDMEMBER', 'rm', '3')).split('\r\n').filter((x) => /^[a-e]$/.test(x));
    assert.equal(new Set(uniq).size, 3);
    const rep = (await c.call('ZRANDMEMBER', 'rm', '-20')).split('\r\n').filter((x) => /^[a-e]$/.test(x));
    assert.equal(rep.length, 20);
    assert.equal(await c.call('ZRANDMEMBER', 'rm', '1', 'x'), SYNTAX);
    assert.equal(await c.call('ZRANDMEMBER', 'rm', '-9223372036854775808'), err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
    assert.equal(await c.call('ZRANDMEMBER', 'rm', '-9223372036854770000', 'WITHSCORES'), err('ERR value is out of range'));
  });

  test('ZSCAN', async () => {
    await c.call('DEL', 'sc');
    await c.call('ZADD', 'sc', '1.1', 'a', '2', 'b', '3', 'c');
    // A listpack comes back whole with the stored (shortest) score text.
    assert.equal(await c.call('ZSCAN', 'sc', '0'), arr(bulk('0'), bulks('a', '1.1', 'b', '2', 'c', '3')));
    assert.equal(await c.call('ZSCAN', 'sc', '0', 'MATCH', 'b*'), arr(bulk('0'), bulks('b', '2')));
    assert.equal(await c.call('ZSCAN', 'nokey', '0'), arr(bulk('0'), EMPTY));
    assert.equal(await c.call('ZSCAN', 'sc', 'x'), err('ERR invalid cursor'));
    // Skiplist: every member once over the whole iteration, scores as %.17g.
    const big: string[] = [];
    for (let i = 0; i < 300; i++) big.push(String(i + 0.1), `m${i}`);
    await c.call('ZADD', 'scb', ...big);
    let cursor = '0';
    const seen = new Map<string, string>();
    do {
      const raw = await c.call('ZSCAN', 'scb', cursor, 'COUNT', '50');
      const lines = raw.split('\r\n');
      cursor = lines[2];
      const items: string[] = [];
      for (let i = 5; i < lines.length - 1; i += 2) items.push(lines[i]);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    } while (cursor !== '0');
    assert.equal(seen.size, 300);
    assert.equal(seen.get('m1'), '1.1000000000000001');
  });

  test('OBJECT ENCODING follows zset-max-listpack-entries/value', async () => {
    const enc = async (k: string): Promise<string> => (await c.call('OBJECT', 'ENCODING', k)).split('\r\n')[1];
    await c.call('DEL', 'e1', 'e2', 'e3', 'e4');
    await c.call('ZADD', 'e1', '1', 'a');
    assert.equal(await enc('e1'), 'listpack');
    await c.call('ZADD', 'e2', '1', 'x'.repeat(65));
    assert.equal(await enc('e2'), 'skiplist');
    await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '4');
    try {
      await c.call('ZADD', 'e3', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      assert.equal(await enc('e3'), 'listpack');
      await c.call('ZADD', 'e3', '5', 'e');
      assert.equal(await enc('e3'), 'skiplist');
      await c.call('ZREM', 'e3', 'a', 'b', 'c');
      assert.equal(await enc('e3'), 'skiplist');
      // A freshly built result that fits is a listpack again.
      await c.call('ZUNIONSTORE', 'e4', '1', 'e3');
      assert.equal(await enc('e4'), 'listpack');
      await c.call('ZADD', 'e5', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
      assert.equal(await enc('e5'), 'skiplist');
    } finally {
      await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
  });

  test('keyspace events and propagation forms', async () => {
    const events: string[] = [];
    const hook = (_cls: number, ev: string, key: string): void => {
      events.push(`${ev}:${key}`);
    };
    const prop: string[] = [];
    const ph = (_db: number, args: string[]): void => {
      prop.push(args.join(' '));
    };
    srv.server.notifyHooks.push(hook);
    srv.server.propagateHooks.push(ph);
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    try {
      await c.call('DEL', 'ev', 'ev2');
      await c.call('ZADD', 'ev', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      await c.call('ZINCRBY', 'ev', '1', 'a');
      await c.call('ZREM', 'ev', 'a');
      await c.call('ZREMRANGEBYSCORE', 'ev', '2', '2');
      await c.call('ZUNIONSTORE', 'ev2', '1', 'ev');
      await c.call('ZMPOP', '1', 'ev', 'MIN', 'COUNT', '5');
    } finally {
      srv.server.notifyHooks.splice(srv.server.notifyHooks.indexOf(hook), 1);
      srv.server.propagateHooks.splice(srv.server.propagateHooks.indexOf(ph), 1);
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
    assert.deepEqual(events, ['zadd:ev', 'zincr:ev', 'zrem:ev', 'zremrangebyscore:ev', 'zunionstore:ev2', 'zpopmin:ev', 'del:ev']);
    assert.equal(prop[prop.length - 1], 'zpopmin ev 2');
  });
});

describe('sorted set blocking pops', () => {
  let srv: RunningServer;
  let c: RawClient;

  before(async () => {
    srv = await startNodis();
    c = await RawClient.connect(srv.port);
  });

  after(async () => {
    c.close();
    await srv.close();
  });

  test('BZPOPMIN serves immediately, blocks, is woken by ZADD, times out', async () => {
    await c.call('ZADD', 'b1', '1', 'a', '2', 'b');
    assert.equal(await c.call('BZPOPMIN', 'nokey', 'b1', '0'), bulks('b1', 'a', '1'));
    assert.equal(await c.call('BZPOPMAX', 'b1', '0'), bulks('b1', 'b', '2'));
    const w = await RawClient.connect(srv.port);
    try {
      w.write(encodeCommand(['BZPOPMIN', 'bq', '0']));
      await sleep(50);
      assert.equal(await c.call('ZADD', 'bq', '5', 'x', '-1', 'y'), int(2));
      assert.equal(await w.read(), bulks('bq', 'y', '-1'));
      assert.equal(await c.call('ZRANGE', 'bq', '0', '-1'), bulks('x'));
      assert.equal(await w.call('BZPOPMIN', 'empty', '0.05'), NILARR);
      assert.equal(await w.call('BZPOPMIN', 'empty', '-1'), err('ERR timeout is negative'));
      assert.equal(await w.call('BZPOPMIN', 'empty', 'x'), err('ERR timeout is not a float or out of range'));
    } finally {
      w.close();
    }
  });

  test('clients are served in blocking order; BZMPOP counts; wrong type keeps waiting', async () => {
    const w1 = await RawClient.connect(srv.port);
    const w2 = await RawClient.connect(srv.port);
    try {
      await c.call('DEL', 'q1', 'q2');
      w1.write(encodeCommand(['BZMPOP', '0', '2', 'q1', 'q2', 'MAX', 'COUNT', '10']));
      await sleep(30);
      w2.write(encodeCommand(['BZPOPMIN', 'q2', '0']));
      await sleep(30);
      // A string under the key does not wake anyone.
      await c.call('SET', 'q2', 'str');
      await c.call('DEL', 'q2');
      await c.call('ZADD', 'q2', '1', 'a', '2', 'b', '3', 'c');
      assert.equal(await w1.read(), arr(bulk('q2'), arr(bulks('c', '3'), bulks('b', '2'), bulks('a', '1'))));
      await c.call('ZADD', 'q2', '7', 'z');
      assert.equal(await w2.read(), bulks('q2', 'z', '7'));
    } finally {
      w1.close();
      w2.close();
    }
  });

  test('inside MULTI blocking pops do not block', async () => {
    await c.call('DEL', 'm1');
    assert.equal(await c.call('MULTI'), '+OK\r\n');
    assert.equal(await c.call('BZPOPMIN', 'm1', '0'), '+QUEUED\r\n');
    assert.equal(await c.call('BZMPOP', '0', '1', 'm1', 'MIN'), '+QUEUED\r\n');
    assert.equal(await c.call('EXEC'), arr(NILARR, NILARR));
  });

  test('BZMPOP argument errors', async () => {
    assert.equal(await c.call('BZMPOP', '0', '0', 'k', 'MIN'), err('ERR numkeys should be greater than 0'));
    assert.equal(await c.call('BZMPOP', '0', '1', 'k', 'bad'), SYNTAX);
    assert.equal(await c.call('BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', 'a'), err('ERR count should be greater than 0'));
    assert.equal(await c.call('BZMPOP', '-1', '1', 'k', 'MIN'), err('ERR timeout is negative'));
    await c.call('SET', 'wt', 'x');
    assert.equal(await c.call('BZPOPMIN', 'wt', '0'), WRONGTYPE);
    assert.equal(await c.call('BZMPOP', '0', '1', 'wt', 'MIN'), WRONGTYPE);
  });
});

describe('sorted sets: one million members', () => {
  test('insert, rank, range, count and remove stay fast', async () => {
    const srv = await startNodis();
    const c = await RawClient.connect(srv.port);
    try {
      // CPU time of this process (server and client share it): stable on a busy machine.
      const cpu = (): number => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };
      const t0 = cpu();
      const N = 1_000_000;
      const CHUNK = 100_000;
      for (let base = 0; base < N; base += CHUNK) {
        // Encoded by hand: the generic helper is too slow for 200k arguments.
        const parts: string[] = [`*${2 + CHUNK * 2}\r\n$4\r\nZADD\r\n$3\r\nbig\r\n`];
        // Scores out of insertion order, so inserts land all over the structure.
        for (let i = base; i < base + CHUNK; i++) {
          const sc = String((i * 7919) % N);
          const m = `m${i}`;
          parts.push(`$${sc.length}\r\n${sc}\r\n$${m.length}\r\n${m}\r\n`);
        }
        c.write(Buffer.from(parts.join(''), 'latin1'));
        assert.equal(await c.read(20000), int(CHUNK));
      }
      const elapsed = cpu() - t0;
      assert.ok(elapsed < 60000, `1M inserts took ${Math.round(elapsed)} ms of CPU`);
      assert.equal(await c.call('ZCARD', 'big'), int(N));
      const mid = (await c.call('ZRANGE', 'big', '500000', '500001', 'WITHSCORES')).split('\r\n');
      assert.equal(mid[4], '500000');
      assert.equal(mid[8], '500001');
      const member = (await c.call('ZRANGEBYSCORE', 'big', '123456', '123456')).split('\r\n')[2];
      assert.equal(await c.call('ZRANK', 'big', member), int(123456));
      assert.equal(await c.call('ZCOUNT', 'big', '1000', '(2000'), int(1000));
      assert.equal(await c.call('ZREMRANGEBYRANK', 'big', '0', '99999'), int(100000));
      assert.equal(await c.call('ZRANGE', 'big', '0', '0', 'WITHSCORES').then((r) => r.split('\r\n')[4]), '100000');
      assert.equal(await c.call('ZREMRANGEBYSCORE', 'big', '-inf', '(900000'), int(800000));
      assert.equal(await c.call('ZCARD', 'big'), int(100000));
    } finally {
      c.close();
      await srv.close();
    }
  });
});

describe('sorted sets against the real redis-server', () => {
  test('same bytes for a command script (integer and .5 scores)', async (t) => {
    const oracle = await startOracle();
    if (oracle === null) {
      t.skip('redis-server not installed');
      return;
    }
    const srv = await startNodis();
    const a = await RawClient.connect(oracle.port);
    const b = await RawClient.connect(srv.port);
    try {
      const script: string[][] = [
        ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '2.5', 'd', '-1', 'e', '+inf', 'f', '-inf', 'g'], ['ZADD', 'z', 'CH', 'GT', '5', 'a', '0', 'b'],
        ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'z', 'INCR', '1.5', 'a'], ['ZINCRBY', 'z', '-inf', 'f'],
        ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'z', '-3', '-2'], ['ZREVRANGE', 'z', '1', '3', 'WITHSCORES'], ['ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', '1', '2'],
        ['ZRANGE', 'z', '+inf', '(1', 'BYSCORE', 'REV', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '-inf', '2', 'WITHSCORES', 'LIMIT', '0', '-1'], ['ZREVRANGEBYSCORE', 'z', '(3', '-inf'],
        ['ZRANGEBYSCORE', 'z', '', '(3'], ['ZRANGEBYSCORE', 'z', ' 1', '0x3'], ['ZRANGEBYSCORE', 'z', '1e', '3'], ['ZCOUNT', 'z', '(2', '+inf'], ['ZCOUNT', 'z', 'a', 'b'],
        ['ZRANK', 'z', 'd'], ['ZREVRANK', 'z', 'd'], ['ZRANK', 'z', 'nope'], ['ZSCORE', 'z', 'd'], ['ZMSCORE', 'z', 'd', 'x', 'e'], ['ZCARD', 'z'],
        ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e'], ['ZRANGEBYLEX', 'l', '[b', '(d'], ['ZREVRANGEBYLEX', 'l', '+', '[c', 'LIMIT', '1', '5'],
        ['ZRANGE', 'l', '-', '+', 'BYLEX', 'LIMIT', '2', '2'], ['ZLEXCOUNT', 'l', '(a', '+'], ['ZRANGEBYLEX', 'l', 'a', 'b'], ['ZREMRANGEBYLEX', 'l', '[d', '+'],
        ['ZRANGESTORE', 'dst', 'z', '0', '2'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'dst', 'z', '100', '200'], ['EXISTS', 'dst'],
        ['ZADD', 'y', '2', 'b', '3', 'c', '4', 'x'], ['SADD', 's', 'a', 'b', 'q'], ['ZUNION', '3', 'z', 'y', 's', 'WITHSCORES'], ['ZINTER', '2', 'z', 'y', 'WEIGHTS', '2', '0.5', 'WITHSCORES'],
        ['ZUNION', '2', 'z', 'y', 'AGGREGATE', 'MAX', 'WITHSCORES'], ['ZDIFF', '2', 'z', 'y'], ['ZDIFFSTORE', 'dd', '2', 'z', 's'], ['ZRANGE', 'dd', '0', '-1', 'WITHSCORES'],
        ['ZINTERSTORE', 'ii', '2', 'y', 's', 'AGGREGATE', 'MIN'], ['ZRANGE', 'ii', '0', '-1', 'WITHSCORES'], ['ZINTERCARD', '2', 'z', 'y', 'LIMIT', '1'], ['ZUNION', '0', 'z'],
        ['ZUNIONSTORE', 'u', '2', 'z'], ['ZINTER', '1', 'z', 'WEIGHTS', 'x'], ['ZREMRANGEBYRANK', 'z', '0', '1'], ['ZREMRANGEBYSCORE', 'z', '(2', '3'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
        ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'], ['ZPOPMIN', 'z', '-2'], ['ZMPOP', '2', 'nokey', 'y', 'MAX', 'COUNT', '2'], ['ZMPOP', '1', 'nokey', 'MIN'], ['ZMPOP', '1', 'y', 'MIN', 'COUNT', '0'],
        ['BZPOPMIN', 'y', '0'], ['BZMPOP', '0', '1', 'l', 'MIN', 'COUNT', '2'], ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '3'], ['ZRANDMEMBER', 'l', '0'],
        ['SET', 'str', 'v'], ['ZADD', 'str', '1', 'a'], ['ZRANGE', 'str', '0', '1'], ['ZUNION', '2', 'z', 'str'], ['ZPOPMIN', 'str'], ['ZSCAN', 'str', '0'], ['ZSCAN', 'nokey', '0'],
        ['ZADD', 'z', 'GT', 'LT', '1', 'a'], ['ZADD', 'z', '1'], ['ZADD', 'z', 'nan', 'x'], ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'], ['ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'],
        ['ZRANGEBYSCORE', 'z', '0', '1', 'REV'], ['ZREMRANGEBYRANK', 'z', 'a', '1'],
      ];
      for (const cmd of script) assert.equal(await b.call(...cmd), await a.call(...cmd), cmd.join(' '));
    } finally {
      a.close();
      b.close();
      await srv.close();
      await oracle.close();
    }
  });

  test('same numbers for scores that print differently in 7.0 (compared as doubles)', async (t) => {
    const oracle = await startOracle();
    if (oracle === null) {
      t.skip('redis-server not installed');
      return;
    }
    const srv = await startNodis();
    const a = await RawClient.connect(oracle.port);
    const b = await RawClient.connect(srv.port);
    const norm = (raw: string): string[] =>
      raw.split('\r\n').filter((l) => l !== '' && !/^[$*]/.test(l)).map((l) => (/^-?[0-9.e+-]+$/.test(l) && !/^-?[0-9]+$/.test(l) ? String(Number(l)) : l));
    try {
      const script: string[][] = [
        ['ZADD', 'f', '0.1', 'a', '0.2', 'b', '1e-7', 'c', '123456789.123', 'd', '3.3333333333333335', 'e', '1e300', 'f'],
        ['ZINCRBY', 'f', '0.1', 'b'], ['ZRANGE', 'f', '0', '-1', 'WITHSCORES'], ['ZSCORE', 'f', 'b'], ['ZUNION', '1', 'f', 'WEIGHTS', '3', 'WITHSCORES'],
        ['ZRANGEBYSCORE', 'f', '0.1', '0.30000000000000004', 'WITHSCORES'], ['ZPOPMAX', 'f', '2'],
      ];
      for (const cmd of script) assert.deepEqual(norm(await b.call(...cmd)), norm(await a.call(...cmd)), cmd.join(' '));
    } finally {
      a.close();
      b.close();
      await srv.close();
      await oracle.close();
    }
  });
});
