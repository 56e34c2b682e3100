import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, type RunningServer } from '../helpers';
import { formatCoord, formatDistance } from '../../src/commands/geo';
import { decodeScore, deinterleave, interleave, scoreOf, geohashString } from '../../src/types/geohash';

const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | string): string => `:${n}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const bulks = (...items: string[]): string => arr(...items.map(bulk));
const err = (s: string): string => `-${s}\r\n`;
const NIL = '$-1\r\n';
const NILARR = '*-1\r\n';
const EMPTY = '*0\r\n';
const SYNTAX = err('ERR syntax error');
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

const NYC = [
  '-73.9454966', '40.747533', 'lic market', '-73.9733487', '40.7648057', 'central park n/q/r', '-73.9903085', '40.7362513', 'union square',
  '-74.0131604', '40.7126674', 'wtc one', '-73.7858139', '40.6428986', 'jfk', '-73.9375699', '40.7498929', 'q4', '-73.9564142', '40.7480973', '4545',
];

describe('geohash helpers', () => {
  test('interleaving round-trips and encodes like Redis', () => {
    for (const [lat, lon] of [[0, 0], [1, 2], [67108863, 0], [12345678, 54321], [0x3ffffff, 0x3ffffff]]) {
      assert.deepEqual(deinterleave(interleave(lat, lon)), [lat, lon]);
    }
    assert.equal(scoreOf(-73.9454966, 40.747533), 1791875804419201);
    assert.equal(geohashString(scoreOf(-5.6, 42.6) as number), 'ezs42e44yx0');
    const [lon, lat] = decodeScore(scoreOf(13.361389, 38.115556) as number);
    assert.ok(Math.abs(lon - 13.361389) < 1e-5 && Math.abs(lat - 38.115556) < 1e-5);
  });

  test('reply number formats', () => {
    assert.equal(formatDistance(0), '0.0000');
    assert.equal(formatDistance(166274.1516), '166274.1516');
    assert.equal(formatDistance(0.00005), '0.0000'); // 0.5 rounds to even
    assert.equal(formatDistance(2.00015), '2.0002');
    assert.equal(formatCoord(2.0000001856465488), '2.0000001856465488');
    assert.equal(formatCoord(-73.97334784269332886), '-73.97334784269332886');
    assert.equal(formatCoord(10), '10');
    assert.equal(formatCoord(0.5), '0.5');
    // An exact tie at the 18th decimal rounds to even, as glibc's printf.
    assert.equal(formatCoord(Math.pow(2, -18)), '0.00000381469726562');
  });
});

describe('geo commands', () => {
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

  test('GEOADD options and errors', async () => {
    assert.equal(await c.call('GEOADD', 'nyc', ...NYC), int(7));
    assert.equal(await c.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market'), int(0));
    assert.equal(await c.call('GEOADD', 'nyc', 'CH', '40.747533', '-73.9454966', 'lic market'), int(1));
    assert.equal(await c.call('GEOADD', 'nyc', 'NX', '-73.9454966', '40.747533', 'lic market'), int(0));
    assert.equal(await c.call('GEOADD', 'nyc', 'XX', 'CH', '-73.9454966', '40.747533', 'lic market', '1', '1', 'nope'), int(1));
    assert.equal(await c.call('ZSCORE', 'nyc', 'nope'), NIL);
    assert.equal(await c.call('GEOADD', 'nyc', 'XX', 'NX', '1', '1', 'a'), SYNTAX);
    assert.equal(await c.call('GEOADD', 'nyc', 'CH', 'foo', '1', '1', 'a'), SYNTAX);
    assert.equal(await c.call('GEOADD', 'nyc', '1', '1'), err("ERR wrong number of arguments for 'geoadd' command"));
    assert.equal(await c.call('GEOADD', 'nyc', 'foo', 'bar', 'x'), err('ERR value is not a valid float'));
    assert.equal(await c.call('GEOADD', 'nyc', '200', '100', 'x'), err('ERR invalid longitude,latitude pair 200.000000,100.000000'));
    assert.equal(await c.call('GEOADD', 'nyc', '0', '85.06', 'x'), err('ERR invalid longitude,latitude pair 0.000000,85.060000'));
    assert.equal(await c.call('GEOADD', 'str', '1', '1', 'x'), WRONGTYPE);
    assert.equal(
      await c.call('ZRANGE', 'nyc', '0', '-1', 'WITHSCORES'),
      bulks('wtc one', '1791873972053020', 'union square', '1791875485187452', 'central park n/q/r', '1791875761332224', '4545', '1791875796750882', 'lic market', '1791875804419201', 'q4', '1791875830079666', 'jfk', '1791895905559723'),
    );
  });

  test('GEOPOS, GEODIST, GEOHASH', async () => {
    await c.call('GEOADD', 'pts', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    assert.equal(await c.call('GEOPOS', 'pts', 'Palermo', 'nope'), arr(bulks('13.36138933897018433', '38.11555639549629859'), NILARR));
    assert.equal(await c.call('GEOPOS', 'nokey', 'a'), arr(NILARR));
    assert.equal(await c.call('GEOPOS', 'pts'), EMPTY);
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Catania'), bulk('166274.1516'));
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Catania', 'km'), bulk('166.2742'));
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Catania', 'MI'), bulk('103.3182'));
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Palermo'), bulk('0.0000'));
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'nope'), NIL);
    assert.equal(await c.call('GEODIST', 'nokey', 'a', 'b'), NIL);
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Catania', 'yd'), err('ERR unsupported unit provided. please use M, KM, FT, MI'));
    assert.equal(await c.call('GEODIST', 'pts', 'Palermo', 'Catania', 'km', 'x'), SYNTAX);
    assert.equal(await c.call('GEOHASH', 'pts', 'Palermo', 'nope', 'Catania'), arr(bulk('sqc8b49rny0'), NIL, bulk('sqdtr74hyu0')));
    assert.equal(await c.call('GEOHASH', 'nokey', 'a'), arr(NIL));
    assert.equal(await c.call('GEOHASH', 'str', 'a'), WRONGTYPE);
    assert.equal(await c.call('GEOPOS', 'str', 'a'), WRONGTYPE);
    assert.equal(await c.call('GEODIST', 'str', 'a', 'b'), WRONGTYPE);
  });

  test('GEORADIUS and GEORADIUSBYMEMBER', async () => {
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'ASC'), bulks('central park n/q/r', '4545', 'union square'));
    assert.equal(await c.call('GEORADIUS_RO', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'DESC'), bulks('union square', '4545', 'central park n/q/r'));
    assert.equal(
      await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'WITHDIST', 'ASC'),
      arr(bulks('central park n/q/r', '0.7750'), bulks('4545', '2.3651'), bulks('union square', '2.7697')),
    );
    assert.equal(
      await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'WITHCOORD', 'WITHHASH', 'WITHDIST', 'COUNT', '1'),
      arr(arr(bulk('central park n/q/r'), bulk('0.7750'), int('1791875761332224'), bulks('-73.97334784269332886', '40.76480639569881959'))),
    );
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY'), bulks('wtc one', 'union square', 'central park n/q/r'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'ANY'), err('ERR the ANY argument requires COUNT argument'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT'), SYNTAX);
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '0'), err('ERR COUNT must be > 0'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', 'x', 'km'), err('ERR need numeric radius'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '-1', 'km'), err('ERR radius cannot be negative'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '1', 'yd'), err('ERR unsupported unit provided. please use M, KM, FT, MI'));
    assert.equal(await c.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '1', 'km', 'STORE', 'x', 'WITHDIST'), err('ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
    assert.equal(await c.call('GEORADIUS_RO', 'nyc', '-73.9798091', '40.7598464', '1', 'km', 'STORE', 'x'), SYNTAX);
    assert.equal(await c.call('GEORADIUSBYMEMBER', 'nyc', 'wtc one', '7', 'km'), bulks('wtc one', 'union square', 'central park n/q/r', '4545', 'lic market'));
    assert.equal(await c.call('GEORADIUSBYMEMBER', 'nyc', 'nope', '7', 'km'), err('ERR could not decode requested zset member'));
    assert.equal(await c.call('GEORADIUSBYMEMBER', 'nokey', 'nope', '7', 'km'), EMPTY);
    assert.equal(await c.call('GEORADIUS', 'nokey', '1', '1', '7', 'km'), EMPTY);
    assert.equal(await c.call('GEORADIUS', 'str', '1', '1', '7', 'km'), WRONGTYPE);
    // STORE and STOREDIST
    await c.call('DEL', 'pts2', 'st');
    await c.call('GEOADD', 'pts2', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    assert.equal(await c.call('GEORADIUS', 'pts2', '13.361389', '38.115556', '500', 'km', 'STORE', 'st'), int(2));
    assert.equal(await c.call('ZRANGE', 'st', '0', '-1', 'WITHSCORES'), await c.call('ZRANGE', 'pts2', '0', '-1', 'WITHSCORES'));
    assert.equal(await c.call('GEORADIUSBYMEMBER', 'pts2', 'Catania', '500', 'km', 'STOREDIST', 'st', 'DESC', 'COUNT', '1'), int(1));
    const st = (await c.call('ZRANGE', 'st', '0', '-1', 'WITHSCORES')).split('\r\n');
    assert.equal(st[2], 'Palermo');
    assert.ok(Math.abs(Number(st[4]) - 166.2742) < 1e-3);
    assert.equal(await c.call('GEORADIUS', 'pts2', '0', '0', '1', 'km', 'STORE', 'st'), int(0));
    assert.equal(await c.call('EXISTS', 'st'), int(0));
  });

  test('GEOSEARCH and GEOSEARCHSTORE', async () => {
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '-73.9798091', '40.7598464', 'BYBOX', '6', '6', 'km', 'ASC'), bulks('central park n/q/r', '4545', 'union square', 'lic market'));
    assert.equal(
      await c.call('GEOSEARCH', 'nyc', 'FROMMEMBER', 'wtc one', 'BYBOX', '14', '14', 'km'),
      bulks('wtc one', 'union square', 'central park n/q/r', '4545', 'lic market', 'q4'),
    );
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMMEMBER', 'wtc one', 'BYRADIUS', '3.3', 'km', 'WITHDIST', 'DESC'), arr(bulks('union square', '3.2544'), bulks('wtc one', '0.0000')));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'FROMMEMBER', 'x', 'BYBOX', '1', '1', 'km'), SYNTAX);
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'BYBOX', '1', '1', 'km', 'ASC'), err('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH'));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'ASC', 'WITHDIST'), err('ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH'));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'), SYNTAX);
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYBOX', '-1', '1', 'km'), err('ERR height or width cannot be negative'));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYBOX', 'w', '1', 'km'), err('ERR need numeric width'));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYBOX', '1', 'h', 'km'), err('ERR need numeric height'));
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYBOX', '1', '1', 'km', 'STOREDIST'), SYNTAX);
    assert.equal(await c.call('GEOSEARCH', 'nyc', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'km'), err('ERR could not decode requested zset member'));
    assert.equal(await c.call('GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'km'), EMPTY);
    await c.call('SET', 'dst', 'x');
    assert.equal(await c.call('GEOSEARCHSTORE', 'dst', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'), int(0));
    assert.equal(await c.call('EXISTS', 'dst'), int(0));
    assert.equal(await c.call('GEOSEARCHSTORE', 'dst', 'nyc', 'FROMLONLAT', '-73.9798091', '40.7598464', 'BYRADIUS', '3', 'km', 'STOREDIST', 'COUNT', '2'), int(2));
    const d = (await c.call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).split('\r\n');
    assert.equal(d[2], 'central park n/q/r');
    assert.ok(Math.abs(Number(d[4]) - 0.775) < 1e-4);
    assert.equal(d[6], '4545');
    assert.ok(Math.abs(Number(d[8]) - 2.3651) < 1e-4);
    assert.equal(await c.call('GEOSEARCHSTORE', 'dst', 'nyc', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'WITHDIST'), err('ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
    assert.equal(await c.call('GEOSEARCHSTORE', 'dst', 'nyc', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'STORE', 'x'), SYNTAX);
  });

  test('RESP3 coordinates are doubles', async () => {
    const r = await RawClient.connect(srv.port);
    try {
      await r.call('HELLO', '3');
      assert.equal(await r.call('GEOPOS', 'pts', 'Palermo', 'nope'), arr(arr(',13.36138933897018433\r\n', ',38.11555639549629859\r\n'), '_\r\n'));
      assert.equal(await r.call('GEODIST', 'pts', 'Palermo', 'Catania', 'km'), bulk('166.2742'));
      assert.equal(await r.call('GEOHASH', 'pts', 'nope'), arr('_\r\n'));
    } finally {
      r.close();
    }
  });
});

describe('geo against the real redis-server', () => {
  test('same bytes for random points and searches', async (t) => {
    const oracle = await startOracle();
    if (oracle === null) {
      t.skip('redis-server not installed');
      return;
    }
    const srv = await startNodis();
    const a = await RawClient.connect(oracle.port);
    const b = await RawClient.connect(srv.port);
    // A small deterministic generator, so failures are reproducible.
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    try {
      const add: string[] = ['GEOADD', 'g'];
      for (let i = 0; i < 400; i++) add.push((-20 + rnd() * 40).toFixed(6), (30 + rnd() * 30).toFixed(6), `p${i}`);
      const script: string[][] = [add, ['GEOPOS', 'g', 'p0', 'p1', 'p2', 'nope'], ['GEOHASH', 'g', 'p3', 'p4'], ['GEODIST', 'g', 'p5', 'p6', 'km'], ['GEODIST', 'g', 'p7', 'p8', 'ft']];
      for (let i = 0; i < 25; i++) {
        const lon = (-20 + rnd() * 40).toFixed(4);
        const lat = (30 + rnd() * 30).toFixed(4);
        const r = String(Math.floor(50 + rnd() * 800));
        script.push(['GEORADIUS', 'g', lon, lat, r, 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC']);
        script.push(['GEOSEARCH', 'g', 'FROMLONLAT', lon, lat, 'BYBOX', r, String(Math.floor(Number(r) / 2)), 'km', 'WITHDIST', 'DESC', 'COUNT', '7']);
        script.push(['GEORADIUSBYMEMBER', 'g', `p${i}`, r, 'mi', 'COUNT', '5', 'ANY']);
        script.push(['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', `p${i + 1}`, 'BYRADIUS', r, 'km', 'STOREDIST']);
        script.push(['ZRANGE', 'd', '0', '-1']);
      }
      for (const cmd of script) assert.equal(await b.call(...cmd), await a.call(...cmd), cmd.join(' '));
    } finally {
      a.close();
      b.close();
      await srv.close();
      await oracle.close();
    }
  });
});
