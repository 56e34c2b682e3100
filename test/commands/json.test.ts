import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { startNodis, RawClient, sleep, type RunningServer } from '../helpers';

// RESP builders for expected replies.
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | string): string => `:${n}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const bulks = (...items: string[]): string => arr(...items.map(bulk));
const ints = (...items: number[]): string => arr(...items.map(int));
const simple = (s: string): string => `+${s}\r\n`;
const err = (s: string): string => `-${s}\r\n`;
const NIL = '$-1\r\n';
const NULL3 = '_\r\n';
const OK = '+OK\r\n';
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const NO_KEY = err("ERR could not perform this operation on a key that doesn't exist");
/** UTF-8 bytes of a JS string, as the latin1 string the wire carries. */
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

const DOC = '{"a":1,"b":{"a":2.5,"c":"x"},"arr":[1,2,3],"t":true,"n":null,"s":"str"}';

describe('json', () => {
  let srv: RunningServer;
  let c: RawClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodis-json-'));
    srv = await startNodis({ dir });
    c = await RawClient.connect(srv.port);
  });

  after(async () => {
    c.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reset = async (key = 'd', doc = DOC): Promise<void> => {
    await c.call('DEL', key);
    assert.equal(await c.call('JSON.SET', key, '$', doc), OK);
  };

  test('JSON.SET / JSON.GET: root, nested paths, NX/XX, creation rules', async () => {
    await reset();
    assert.equal(await c.call('JSON.GET', 'd'), bulk(DOC));
    assert.equal(await c.call('JSON.GET', 'd', '.'), bulk(DOC));
    assert.equal(await c.call('JSON.GET', 'd', '$'), bulk(`[${DOC}]`));
    assert.equal(await c.call('JSON.GET', 'nokey'), NIL);
    assert.equal(await c.call('JSON.GET', 'nokey', '$'), NIL);
    // Replace, add a member, NX/XX on members.
    assert.equal(await c.call('JSON.SET', 'd', '$.a', '10'), OK);
    assert.equal(await c.call('JSON.SET', 'd', '.b.c', '"y"'), OK);
    assert.equal(await c.call('JSON.SET', 'd', '$.new', '[]'), OK);
    assert.equal(await c.call('JSON.SET', 'd', '$.new', '1', 'NX'), NIL);
    assert.equal(await c.call('JSON.SET', 'd', '$.zz', '1', 'XX'), NIL);
    assert.equal(await c.call('JSON.SET', 'd', '$.zz', '1', 'NX'), OK);
    assert.equal(await c.call('JSON.SET', 'd', '$.zz', '2', 'XX'), OK);
    assert.equal(await c.call('JSON.GET', 'd', '$.a', '.b.c', '$.new', '$.zz'), bulk('{"$.a":[10],".b.c":["y"],"$.new":[[]],"$.zz":[2]}'));
    // A missing parent: nothing is created.
    assert.equal(await c.call('JSON.SET', 'd', '$.x.y', '1'), NIL);
    assert.equal(await c.call('JSON.SET', 'd', '.x.y', '1'), NIL);
    // Paths that cannot name a new place.
    assert.equal(await c.call('JSON.SET', 'd', '$..nothere', '1'), err('Err wrong static path'));
    assert.equal(await c.call('JSON.SET', 'd', '$.arr[10]', '1'), err('ERR array index out of range'));
    assert.equal(await c.call('JSON.SET', 'd', '$.arr[0]', '7', 'NX'), NIL);
    assert.equal(await c.call('JSON.SET', 'd', '$.arr[0]', '7', 'XX'), OK);
    // Multiple matches are all replaced.
    assert.equal(await c.call('JSON.SET', 'd', '$..a', '0'), OK);
    assert.equal(await c.call('JSON.GET', 'd', '$..a'), bulk('[0,0]'));
    // Root NX/XX.
    assert.equal(await c.call('JSON.SET', 'd', '$', '1', 'NX'), NIL);
    assert.equal(await c.call('JSON.SET', 'k2', '.', '1', 'XX'), NIL);
    assert.equal(await c.call('JSON.SET', 'k2', '$.a', '1', 'XX'), NIL);
    assert.equal(await c.call('JSON.SET', 'k2', '.', '1', 'NX'), OK);
    assert.equal(await c.call('JSON.GET', 'k2'), bulk('1'));
    // Errors.
    assert.equal(await c.call('JSON.SET', 'nokey', '$.a', '1'), err('ERR new objects must be created at the root'));
    assert.equal(await c.call('JSON.SET', 'nokey', '.a', '1'), err('ERR new objects must be created at the root'));
    assert.equal(await c.call('JSON.SET', 'd', '$', '1', 'NX', 'XX'), err('ERR syntax error'));
    assert.equal(await c.call('JSON.SET', 'd', '$', '1', 'FOO'), err('ERR syntax error'));
    assert.equal(await c.call('JSON.SET', 'd', '$'), err("ERR wrong number of arguments for 'json.set' command"));
    await c.call('SET', 'str', 'v');
    assert.equal(await c.call('JSON.SET', 'str', '$', '1'), WRONGTYPE);
    assert.equal(await c.call('JSON.GET', 'str'), WRONGTYPE);
  });

  test('JSON.SET parse errors use serde_json texts (no error code)', async () => {
    const cases: [string, string][] = [
      ['', 'EOF while parsing a value at line 1 column 0'],
      ['x', 'expected value at line 1 column 1'],
      ['{', 'EOF while parsing an object at line 1 column 1'],
      ['{a:1}', 'key must be a string at line 1 column 2'],
      ['{"a" 1}', 'expected `:` at line 1 column 6'],
      ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
      ['[1,2', 'EOF while parsing a list at line 1 column 4'],
      ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
      ['[1,]', 'trailing comma at line 1 column 4'],
      ['"abc', 'EOF while parsing a string at line 1 column 4'],
      ['tru', 'EOF while parsing a value at line 1 column 3'],
      ['trux', 'expected ident at line 1 column 4'],
      ['01', 'invalid number at line 1 column 2'],
      ['1 2', 'trailing characters at line 1 column 3'],
      ['[\n1,\n]', 'trailing comma at line 3 column 1'],
      ['"\\x"', 'invalid escape at line 1 column 3'],
    ];
    // RedisJSON sends serde_json's message without an error code.
    for (const [input, msg] of cases) assert.equal(await c.call('JSON.SET', 'perr', '$', input), err(msg), input);
    assert.equal(await c.call('EXISTS', 'perr'), int(0));
  });

  test('numbers: integers stay integers, floats print like RedisJSON', async () => {
    await reset('num', '[1.0,0.1,1e20,1.5e-7,123456789012345678,-0.0,1E3,12.5e1,0.00001]');
    assert.equal(await c.call('JSON.GET', 'num'), bulk('[1.0,0.1,1e20,1.5e-7,123456789012345678,-0.0,1000.0,125.0,0.00001]'));
    await reset('n', '{"i":5,"f":1.5,"s":"x"}');
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '$.i', '2'), bulk('[7]'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.i', '1.5'), bulk('8.5'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '$.f', '1'), bulk('[2.5]'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '$.f', '0.5'), bulk('[3.0]'));
    assert.equal(await c.call('JSON.NUMMULTBY', 'n', '$.*', '2'), bulk('[17.0,6.0,null]'));
    assert.equal(await c.call('JSON.NUMMULTBY', 'n', '.f', '2'), bulk('12.0'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '$.nope', '1'), bulk('[]'));
    // i64 arithmetic wraps around, as RedisJSON's.
    await reset('big', '9223372036854775807');
    assert.equal(await c.call('JSON.NUMINCRBY', 'big', '.', '1'), bulk('-9223372036854775808'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'big', '.', '0.5'), bulk('-9.223372036854776e18'));
    // Errors.
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.s', '1'), err("ERR Path '$.s' does not exist or does not contains a number"));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.nope', '1'), err("ERR Path '$.nope' does not exist or does not contains a number"));
    // A legacy path updates every number it reaches and replies the last one.
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.*', '1'), bulk('13.0'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.i', 'abc'), err('expected value at line 1 column 1'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'n', '.i', '"1"'), err('bad input number'));
    assert.equal(await c.call('JSON.NUMINCRBY', 'nokey', '.i', '1'), NO_KEY);
    await reset('huge', '1e308');
    assert.equal(await c.call('JSON.NUMMULTBY', 'huge', '$', '10'), err('result is not a number'));
    assert.equal(await c.call('JSON.GET', 'huge'), bulk('1e308'));
  });

  test('JSONPath selectors: wildcards, descendants, indexes, slices, quoted names, filters', async () => {
    await reset('p', '{"store":{"book":[{"t":"a","price":8,"tags":["x"]},{"t":"b","price":12},{"t":"c","price":5.5,"isbn":"1"}],"bike":{"price":20}},"k y":1}');
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[*].t'), bulk('["a","b","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$..price'), bulk('[8,12,5.5,20]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[0].t'), bulk('["a"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[-1].t'), bulk('["c"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[0,2].t'), bulk('["a","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[1:3].t'), bulk('["b","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[:2].t'), bulk('["a","b"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[::2].t'), bulk('["a","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', "$['k y']"), bulk('[1]'));
    assert.equal(await c.call('JSON.GET', 'p', '$["store"]["bike"].price'), bulk('[20]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[?(@.price < 10)].t'), bulk('["a","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[?(@.price > 6 && @.price <= 12)].t'), bulk('["a","b"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[?(@.t == "b" || @.isbn)].t'), bulk('["b","c"]'));
    assert.equal(await c.call('JSON.GET', 'p', "$.store.book[?(@.t != 'a')].price"), bulk('[12,5.5]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[?(@.t =~ "^[ab]$")].t'), bulk('["a","b"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.book[?(!@.isbn)].t'), bulk('["a","b"]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.store.*.price'), bulk('[20]'));
    assert.equal(await c.call('JSON.GET', 'p', '$.nothing'), bulk('[]'));
    // Legacy syntax.
    assert.equal(await c.call('JSON.GET', 'p', 'store.book[1].t'), bulk('"b"'));
    assert.equal(await c.call('JSON.GET', 'p', '.store.book[-1].price'), bulk('5.5'));
    assert.equal(await c.call('JSON.GET', 'p', '["k y"]'), bulk('1'));
    assert.equal(await c.call('JSON.GET', 'p', '.store.nope'), err("ERR Path '$.store.nope' does not exist"));
    // Bad JSONPath.
    const bad = await c.call('JSON.GET', 'p', '$.store[');
    assert.match(bad, /^-Error occurred on position 8, "\$\.store\[ ---->>>> "/);
  });

  test('JSON.GET formatting: INDENT, NEWLINE, SPACE', async () => {
    await reset('f', '{"a":[1,{"b":2}],"e":{},"l":[]}');
    assert.equal(
      await c.call('JSON.GET', 'f', 'INDENT', '\t', 'NEWLINE', '\n', 'SPACE', ' '),
      bulk('{\n\t"a": [\n\t\t1,\n\t\t{\n\t\t\t"b": 2\n\t\t}\n\t],\n\t"e": {},\n\t"l": []\n}'),
    );
    assert.equal(await c.call('JSON.GET', 'f', 'SPACE', ' ', '.a'), bulk('[1,{"b": 2}]'));
    assert.equal(await c.call('JSON.GET', 'f', 'NEWLINE', '\n', '$.e'), bulk('[\n{}\n]'));
    assert.equal(await c.call('JSON.GET', 'f', 'INDENT'), err("ERR wrong number of arguments for 'JSON.GET' command"));
    assert.equal(await c.call('JSON.GET', 'f', 'FORMAT', 'EXPAND'), err('ERR FORMAT argument is not supported on RESP2'));
  });

  test('JSON.MGET and JSON.MSET', async () => {
    await reset('m1', '{"a":1,"b":{"a":2}}');
    await reset('m2', '{"a":"x"}');
    await c.call('SET', 'mstr', 'v');
    assert.equal(await c.call('JSON.MGET', 'm1', 'm2', 'nokey', 'mstr', '$..a'), arr(bulk('[1,2]'), bulk('["x"]'), NIL, NIL));
    assert.equal(await c.call('JSON.MGET', 'm1', 'm2', '.b.a'), arr(bulk('2'), NIL));
    assert.equal(await c.call('JSON.MGET', 'm1'), err("ERR wrong number of arguments for 'json.mget' command"));
    await c.call('DEL', 'ms1', 'ms2');
    // Each triple is checked against the keyspace before any is applied.
    assert.equal(await c.call('JSON.MSET', 'ms1', '$', '{"x":1}', 'ms1', '$.y', '2'), err('ERR new objects must be created at the root'));
    assert.equal(await c.call('JSON.MSET', 'ms1', '$', '{"x":1}', 'ms2', '.', '[1]'), OK);
    assert.equal(await c.call('JSON.MSET', 'ms1', '$.y', '2', 'ms2', '$[5]', '1'), err('ERR array index out of range'));
    assert.equal(await c.call('JSON.MSET', 'ms1', '$.y', '2'), OK);
    assert.equal(await c.call('JSON.GET', 'ms1'), bulk('{"x":1,"y":2}'));
    assert.equal(await c.call('JSON.GET', 'ms2'), bulk('[1]'));
    // All or nothing.
    assert.equal(await c.call('JSON.MSET', 'ms3', '$', '1', 'ms4', '$.a', '1'), err('ERR new objects must be created at the root'));
    assert.equal(await c.call('JSON.MSET', 'ms3', '$', '1', 'ms4', '$', '{bad'), err('key must be a string at line 1 column 2'));
    assert.equal(await c.call('JSON.MSET', 'ms3', '$', '1', 'mstr', '$', '1'), WRONGTYPE);
    assert.equal(await c.call('EXISTS', 'ms3'), int(0));
    assert.equal(await c.call('JSON.MSET', 'ms3', '$', '1', 'ms4'), err("ERR wrong number of arguments for 'JSON.MSET' command"));
  });

  test('JSON.DEL / JSON.FORGET and JSON.TYPE', async () => {
    await reset();
    assert.equal(await c.call('JSON.TYPE', 'd'), bulk('object'));
    assert.equal(await c.call('JSON.TYPE', 'd', '.arr'), bulk('array'));
    assert.equal(await c.call('JSON.TYPE', 'd', '$.*'), bulks('integer', 'object', 'array', 'boolean', 'null', 'string'));
    assert.equal(await c.call('JSON.TYPE', 'd', '$.b.a'), bulks('number'));
    assert.equal(await c.call('JSON.TYPE', 'd', '.nope'), NIL);
    assert.equal(await c.call('JSON.TYPE', 'd', '$.nope'), '*0\r\n');
    assert.equal(await c.call('JSON.TYPE', 'nokey'), NIL);
    assert.equal(await c.call('JSON.DEL', 'd', '$..a'), int(2));
    assert.equal(await c.call('JSON.FORGET', 'd', '.arr[0]'), int(1));
    assert.equal(await c.call('JSON.DEL', 'd', '$.arr[*]'), int(2));
    assert.equal(await c.call('JSON.DEL', 'd', '.nope'), int(0));
    assert.equal(await c.call('JSON.GET', 'd'), bulk('{"b":{"c":"x"},"arr":[],"t":true,"n":null,"s":"str"}'));
    assert.equal(await c.call('JSON.DEL', 'd'), int(1));
    assert.equal(await c.call('EXISTS', 'd'), int(0));
    assert.equal(await c.call('JSON.DEL', 'd'), int(0));
    await reset();
    assert.equal(await c.call('JSON.DEL', 'd', '$'), int(1));
    assert.equal(await c.call('EXISTS', 'd'), int(0));
    // Only the top-most of nested matches is deleted and counted.
    await reset('nest', '{"a":{"b":{"c":1}},"x":[{"c":2},3],"c":4}');
    assert.equal(await c.call('JSON.DEL', 'nest', '$..*'), int(3));
    assert.equal(await c.call('JSON.GET', 'nest'), bulk('{}'));
    await reset('nest', '{"a":{"c":{"c":1}},"x":[{"c":2},{"c":3}]}');
    assert.equal(await c.call('JSON.DEL', 'nest', '$..c'), int(3));
    assert.equal(await c.call('JSON.GET', 'nest'), bulk('{"a":{},"x":[{},{}]}'));
    await c.call('SET', 'str', 'v');
    assert.equal(await c.call('JSON.DEL', 'str'), WRONGTYPE);
    assert.equal(await c.call('JSON.TYPE', 'str'), WRONGTYPE);
  });

  test('JSON.STRLEN / JSON.STRAPPEND', async () => {
    await reset();
    assert.equal(await c.call('JSON.STRLEN', 'd', '.s'), int(3));
    // Descendants: each level's members, then deeper levels, in document order.
    assert.equal(await c.call('JSON.STRLEN', 'd', '$..*'), arr(NIL, NIL, NIL, NIL, NIL, int(3), NIL, int(1), NIL, NIL, NIL));
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '.s', '"ing"'), int(6));
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '$..c', '"yz"'), ints(3));
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '$.*', '"!"'), arr(NIL, NIL, NIL, NIL, NIL, int(7)));
    assert.equal(await c.call('JSON.GET', 'd', '$.s', '$.b.c'), bulk('{"$.s":["string!"],"$.b.c":["xyz"]}'));
    await reset('sroot', '"ab"');
    assert.equal(await c.call('JSON.STRAPPEND', 'sroot', '"c"'), int(3));
    assert.equal(await c.call('JSON.STRLEN', 'sroot'), int(3));
    // Errors.
    assert.equal(await c.call('JSON.STRLEN', 'd', '.a'), err('WRONGTYPE wrong type of path value - expected string but found integer'));
    assert.equal(await c.call('JSON.STRLEN', 'd', '.nope'), err("ERR Path '$.nope' does not exist"));
    assert.equal(await c.call('JSON.STRLEN', 'nokey'), NIL);
    assert.equal(await c.call('JSON.STRLEN', 'nokey', '$'), NO_KEY);
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '.a', '"x"'), err("ERR Path '$.a' does not exist or not a string"));
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '.s', 'x'), err('expected value at line 1 column 1'));
    assert.equal(await c.call('JSON.STRAPPEND', 'd', '.s', '12'), err('WRONGTYPE wrong type of path value - expected string but found 12'));
    assert.equal(await c.call('JSON.STRAPPEND', 'nokey', '.s', '"x"'), NO_KEY);
  });

  test('JSON.TOGGLE and JSON.CLEAR', async () => {
    await reset();
    assert.equal(await c.call('JSON.TOGGLE', 'd', '.t'), bulk('false'));
    assert.equal(await c.call('JSON.TOGGLE', 'd', '$.t'), ints(1));
    assert.equal(await c.call('JSON.TOGGLE', 'd', '$.*'), arr(NIL, NIL, NIL, int(0), NIL, NIL));
    assert.equal(await c.call('JSON.TOGGLE', 'd', '.a'), err("ERR Path '$.a' does not exist or not a bool"));
    assert.equal(await c.call('JSON.TOGGLE', 'd'), err("ERR wrong number of arguments for 'json.toggle' command"));
    assert.equal(await c.call('JSON.TOGGLE', 'nokey', '.a'), NO_KEY);
    assert.equal(await c.call('JSON.CLEAR', 'd', '$.*'), int(3));
    // Already empty containers and zeros are not counted.
    assert.equal(await c.call('JSON.CLEAR', 'd', '$.*'), int(0));
    assert.equal(await c.call('JSON.GET', 'd'), bulk('{"a":0,"b":{},"arr":[],"t":false,"n":null,"s":"str"}'));
    assert.equal(await c.call('JSON.CLEAR', 'd'), int(1));
    assert.equal(await c.call('JSON.GET', 'd'), bulk('{}'));
    assert.equal(await c.call('JSON.CLEAR', 'd', '$.nope'), int(0));
  });

  test('array commands: ARRAPPEND, ARRINDEX, ARRINSERT, ARRLEN, ARRPOP, ARRTRIM', async () => {
    await reset('a', '{"x":[1,2,3],"y":{"x":"no"},"z":[]}');
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '.x', '4', '"five"'), int(5));
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '$..x', '6'), arr(int(6), NIL));
    assert.equal(await c.call('JSON.ARRLEN', 'a', '.x'), int(6));
    assert.equal(await c.call('JSON.ARRLEN', 'a', '$..x'), arr(int(6), NIL));
    assert.equal(await c.call('JSON.ARRLEN', 'nokey'), NIL);
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '.x', '"five"'), int(4));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '$.x', '3'), ints(2));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '$.x', '3', '3'), ints(-1));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '$.x', '6', '-2'), ints(5));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '$.x', '6', '0', '-1'), ints(-1));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '$..x', '99'), arr(int(-1), NIL));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '.x', '3.0'), int(-1));
    assert.equal(await c.call('JSON.ARRINSERT', 'a', '.x', '0', '0', '0.5'), int(8));
    assert.equal(await c.call('JSON.ARRINSERT', 'a', '$.x', '-1', '"before-last"'), ints(9));
    assert.equal(await c.call('JSON.GET', 'a', '.x'), bulk('[0,0.5,1,2,3,4,"five","before-last",6]'));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '.x'), bulk('6'));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '$.x', '0'), bulks('0'));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '.x', '100'), bulk('"before-last"'));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '$..x'), arr(bulk('"five"'), NIL));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '.z'), NIL);
    assert.equal(await c.call('JSON.ARRTRIM', 'a', '.x', '1', '-2'), int(3));
    assert.equal(await c.call('JSON.GET', 'a', '.x'), bulk('[1,2,3]'));
    assert.equal(await c.call('JSON.ARRTRIM', 'a', '$.x', '0', '99'), ints(3));
    assert.equal(await c.call('JSON.ARRTRIM', 'a', '$.x', '2', '1'), ints(0));
    // Errors.
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '.y', '1'), err("ERR Path '.y' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '.nope', '1'), err("ERR Path '.nope' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '.x'), err("ERR wrong number of arguments for 'json.arrappend' command"));
    assert.equal(await c.call('JSON.ARRAPPEND', 'nokey', '.x', '1'), NO_KEY);
    assert.equal(await c.call('JSON.ARRAPPEND', 'a', '.x', '[1'), err('EOF while parsing a list at line 1 column 2'));
    assert.equal(await c.call('JSON.ARRINSERT', 'a', '.z', '1', '1'), err('ERR index out of bounds'));
    assert.equal(await c.call('JSON.ARRINSERT', 'a', '.z', 'x', '1'), err("Couldn't parse as integer"));
    assert.equal(await c.call('JSON.ARRINSERT', 'a', '.y', '0', '1'), err("ERR Path '$.y' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '.y', '1'), err('WRONGTYPE wrong type of path value - expected array but found object'));
    assert.equal(await c.call('JSON.ARRINDEX', 'a', '.nope', '1'), err("ERR Path '$.nope' does not exist"));
    assert.equal(await c.call('JSON.ARRINDEX', 'nokey', '.x', '1'), err("ERR Path '.x' does not exist"));
    assert.equal(await c.call('JSON.ARRLEN', 'a', '.y'), err("ERR Path '.y' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRLEN', 'a', '.nope'), err("ERR Path '.nope' does not exist"));
    assert.equal(await c.call('JSON.ARRTRIM', 'a', '.y', '0', '1'), err("ERR Path '$.y' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRPOP', 'a', '.y'), err("ERR Path '$.y' does not exist or not an array"));
    assert.equal(await c.call('JSON.ARRPOP', 'nokey'), NO_KEY);
  });

  test('object commands: OBJKEYS, OBJLEN', async () => {
    await reset();
    assert.equal(await c.call('JSON.OBJKEYS', 'd'), bulks('a', 'b', 'arr', 't', 'n', 's'));
    assert.equal(await c.call('JSON.OBJKEYS', 'd', '$..b'), arr(bulks('a', 'c')));
    assert.equal(await c.call('JSON.OBJKEYS', 'd', '$.*'), arr('*-1\r\n', bulks('a', 'c'), '*-1\r\n', '*-1\r\n', '*-1\r\n', '*-1\r\n'));
    assert.equal(await c.call('JSON.OBJKEYS', 'nokey'), NIL);
    assert.equal(await c.call('JSON.OBJKEYS', 'd', '.a'), err("ERR Path '$.a' does not exist or not an object"));
    assert.equal(await c.call('JSON.OBJKEYS', 'd', '.nope'), NIL);
    assert.equal(await c.call('JSON.OBJKEYS', 'nokey', '$'), NO_KEY);
    assert.equal(await c.call('JSON.OBJLEN', 'd', '.a'), err('WRONGTYPE wrong type of path value - expected object but found integer'));
    assert.equal(await c.call('JSON.OBJLEN', 'nokey', '$'), err("ERR Path '$' does not exist or not an object"));
    assert.equal(await c.call('JSON.OBJLEN', 'd'), int(6));
    assert.equal(await c.call('JSON.OBJLEN', 'd', '$.b'), ints(2));
    assert.equal(await c.call('JSON.OBJLEN', 'd', '$.a'), arr(NIL));
    assert.equal(await c.call('JSON.OBJLEN', 'd', '.nope'), NIL);
  });

  test('JSON.MERGE (RFC 7396)', async () => {
    await reset('mg', '{"a":{"b":1,"c":2},"d":[1]}');
    assert.equal(await c.call('JSON.MERGE', 'mg', '$', '{"a":{"b":null,"e":3},"d":[2],"f":"g"}'), OK);
    assert.equal(await c.call('JSON.GET', 'mg'), bulk('{"a":{"c":2,"e":3},"d":[2],"f":"g"}'));
    assert.equal(await c.call('JSON.MERGE', 'mg', '$.a', '{"c":5}'), OK);
    assert.equal(await c.call('JSON.MERGE', 'mg', '$.h', '{"i":1}'), OK);
    // A null patch at a path replaces the value (members set to null inside a patch are removed).
    assert.equal(await c.call('JSON.MERGE', 'mg', '$.f', 'null'), OK);
    assert.equal(await c.call('JSON.GET', 'mg'), bulk('{"a":{"c":5,"e":3},"d":[2],"f":null,"h":{"i":1}}'));
    // A new document (or member) takes the value as given.
    assert.equal(await c.call('JSON.MERGE', 'mgnew', '$', '{"a":null,"b":1}'), OK);
    assert.equal(await c.call('JSON.GET', 'mgnew'), bulk('{"a":null,"b":1}'));
    assert.equal(await c.call('JSON.MERGE', 'mgnew', '$.x.y', '1'), NIL);
    assert.equal(await c.call('JSON.MERGE', 'mgnew', '$', '1', 'EXTRA'), err('ERR syntax error'));
    assert.equal(await c.call('JSON.MERGE', 'mgnone', '$.a', '1'), err('ERR new objects must be created at the root'));
    assert.equal(await c.call('JSON.MERGE', 'mg', '$', '{'), err('EOF while parsing an object at line 1 column 1'));
  });

  test('JSON.RESP and JSON.DEBUG MEMORY', async () => {
    await reset('r', '{"a":[1,2.5,"s",true,null],"o":{"k":false}}');
    assert.equal(
      await c.call('JSON.RESP', 'r'),
      arr(simple('{'), bulk('a'), arr(simple('['), int(1), bulk('2.5'), bulk('s'), simple('true'), NIL), bulk('o'), arr(simple('{'), bulk('k'), simple('false'))),
    );
    assert.equal(await c.call('JSON.RESP', 'r', '$.a[0]'), arr(int(1)));
    assert.equal(await c.call('JSON.RESP', 'r', '.o.k'), simple('false'));
    assert.equal(await c.call('JSON.RESP', 'nokey'), NIL);
    assert.equal(await c.call('JSON.RESP', 'r', '.zz'), err("ERR Path '$.zz' does not exist"));
    assert.match(await c.call('JSON.DEBUG', 'MEMORY', 'r'), /^:\d+\r\n$/);
    // RedisJSON's formula: 8 per value, +16 for a float, string bytes.
    assert.equal(await c.call('JSON.DEBUG', 'MEMORY', 'r', '$.a[1]'), ints(24));
    assert.equal(await c.call('JSON.DEBUG', 'MEMORY', 'r', '.a[2]'), int(9));
    assert.equal(await c.call('JSON.DEBUG', 'MEMORY', 'r', '.a[0]'), int(8));
    assert.match(await c.call('JSON.DEBUG', 'MEMORY', 'r', '$..k'), /^\*1\r\n:\d+\r\n$/);
    assert.equal(await c.call('JSON.DEBUG', 'MEMORY', 'nokey'), int(0));
    assert.equal(await c.call('JSON.DEBUG', 'MEMORY', 'nokey', '$'), '*0\r\n');
    assert.equal(await c.call('JSON.DEBUG', 'NOPE'), err('ERR unknown subcommand - try `JSON.DEBUG HELP`'));
    assert.match(await c.call('JSON.DEBUG', 'HELP'), /^\*2\r\n/);
  });

  test('RESP3 reply shapes (HELLO 3)', async () => {
    const c3 = await RawClient.connect(srv.port);
    await c3.call('HELLO', '3');
    await c3.call('DEL', 'r3');
    assert.equal(await c3.call('JSON.SET', 'r3', '$', '{"i":1,"f":1.5,"s":"x","b":true,"o":{"k":[1,null]}}'), OK);
    assert.equal(await c3.call('JSON.GET', 'r3', '$.i'), bulk('[1]'));
    assert.equal(await c3.call('JSON.NUMINCRBY', 'r3', '$.*', '1'), arr(int(2), ',2.5\r\n', NULL3, NULL3, NULL3));
    assert.equal(await c3.call('JSON.NUMINCRBY', 'r3', '.i', '1'), bulk('3'));
    assert.equal(await c3.call('JSON.TYPE', 'r3', '$.i'), arr(bulks('integer')));
    assert.equal(await c3.call('JSON.TYPE', 'r3', '.s'), arr(bulk('string')));
    assert.equal(await c3.call('JSON.TYPE', 'nokey3'), arr(NULL3));
    assert.equal(await c3.call('JSON.STRLEN', 'r3', '$.*'), arr(NULL3, NULL3, int(1), NULL3, NULL3));
    assert.equal(await c3.call('JSON.GET', 'nokey3'), NULL3);
    assert.equal(await c3.call('JSON.GET', 'r3', 'FORMAT', 'EXPAND', '$.o'), arr('%1\r\n' + bulk('k') + arr(int(1), NULL3)));
    assert.equal(await c3.call('JSON.GET', 'r3', 'FORMAT', 'EXPAND', '.b'), '#t\r\n');
    assert.equal(await c3.call('JSON.GET', 'r3', 'FORMAT', 'EXPAND1', '$.o'), arr(bulk('{"k":[1,null]}')));
    assert.equal(await c3.call('JSON.GET', 'r3', 'FORMAT', 'BAD', '$.o'), err('ERR wrong reply format'));
    c3.close();
  });

  test('UTF-8 strings round-trip; \\u escapes become UTF-8; STRLEN counts bytes', async () => {
    const s = 'héllo wörld 日本 😀';
    await c.call('DEL', 'u');
    assert.equal(await c.call('JSON.SET', 'u', '$', utf8(JSON.stringify({ [s]: s }))), OK);
    assert.equal(await c.call('JSON.GET', 'u'), bulk(utf8(JSON.stringify({ [s]: s }))));
    assert.equal(await c.call('JSON.GET', 'u', utf8(`$['${s}']`)), bulk(utf8(JSON.stringify([s]))));
    assert.equal(await c.call('JSON.STRLEN', 'u', utf8(`$['${s}']`)), ints(Buffer.byteLength(s)));
    assert.equal(await c.call('JSON.OBJKEYS', 'u'), bulks(utf8(s)));
    assert.equal(await c.call('JSON.SET', 'u2', '$', '"\\u00e9\\ud83d\\ude00\\n\\u0001"'), OK);
    assert.equal(await c.call('JSON.GET', 'u2'), bulk(utf8('"é😀\\n\\u0001"')));
    assert.equal(await c.call('JSON.SET', 'u3', '$', '"\xff"'), err("Couldn't parse as UTF-8 string"));
  });

  test('keyspace: TYPE, SCAN TYPE, OBJECT ENCODING, MEMORY USAGE, COPY, keyspace events', async () => {
    await reset();
    assert.equal(await c.call('TYPE', 'd'), simple('ReJSON-RL'));
    const scan = await c.call('SCAN', '0', 'TYPE', 'ReJSON-RL', 'MATCH', 'd', 'COUNT', '1000');
    assert.ok(scan.includes(bulk('d')));
    assert.equal(await c.call('OBJECT', 'ENCODING', 'd'), bulk('raw'));
    assert.match(await c.call('MEMORY', 'USAGE', 'd'), /^:\d+\r\n$/);
    assert.equal(await c.call('COPY', 'd', 'dcopy'), int(1));
    assert.equal(await c.call('JSON.SET', 'dcopy', '$.a', '99'), OK);
    assert.equal(await c.call('JSON.GET', 'd', '.a'), bulk('1'));
    // Events.
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const sub = await RawClient.connect(srv.port);
    await sub.call('PSUBSCRIBE', '__keyevent@0__:json.*');
    await c.call('JSON.SET', 'd', '$.a', '2');
    await c.call('JSON.DEL', 'd', '$.a');
    await c.call('JSON.ARRAPPEND', 'd', '$.arr', '1');
    await c.call('JSON.NUMINCRBY', 'd', '$.b.a', '1');
    await c.call('JSON.MSET', 'd', '$.a', '1');
    const events: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await sub.read();
      events.push(m.split('\r\n')[6]);
    }
    assert.deepEqual(events, ['__keyevent@0__:json.set', '__keyevent@0__:json.del', '__keyevent@0__:json.arrappend', '__keyevent@0__:json.numincrby', '__keyevent@0__:json.mset']);
    sub.close();
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  test('JSON keys survive DEBUG RELOAD (RDB) and DUMP/RESTORE', async (t) => {
    await reset('pers', utf8('{"a":[1,2.5,"é"],"b":{"c":null,"d":true},"big":123456789012345678}'));
    const before = await c.call('JSON.GET', 'pers');
    const reload = await c.call('DEBUG', 'RELOAD');
    if (reload !== OK) {
      t.skip(`DEBUG RELOAD unavailable: ${reload.trim()}`);
      return;
    }
    assert.equal(await c.call('JSON.GET', 'pers'), before);
    assert.equal(await c.call('TYPE', 'pers'), simple('ReJSON-RL'));
    const dump = await c.call('DUMP', 'pers');
    assert.ok(dump.startsWith('$'));
    const payload = dump.slice(dump.indexOf('\r\n') + 2, -2);
    assert.equal(await c.call('RESTORE', 'pers2', '0', payload), OK);
    assert.equal(await c.call('JSON.GET', 'pers2'), before);
  });

  test('ioredis call() usage', async () => {
    const r = new IORedis({ port: srv.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      assert.equal(await r.call('JSON.SET', 'io', '$', JSON.stringify({ name: 'ünï', n: [1, 2] })), 'OK');
      assert.equal(await r.call('JSON.GET', 'io', '$.name'), JSON.stringify(['ünï']));
      assert.deepEqual(await r.call('JSON.ARRAPPEND', 'io', '$.n', '3'), [3]);
      // ioredis 6 speaks RESP3 (array of numbers); RESP2 clients get the JSON text.
      assert.ok(['[11]', '"[11]"'].includes(JSON.stringify(await r.call('JSON.NUMINCRBY', 'io', '$.n[0]', '10'))));
      assert.deepEqual(JSON.parse((await r.call('JSON.GET', 'io')) as string), { name: 'ünï', n: [11, 2, 3] });
      await assert.rejects(r.call('JSON.SET', 'io2', '$.x', '1'), /new objects must be created at the root/);
    } finally {
      r.disconnect();
    }
    await sleep(10);
  });
});
