/*
 * Geospatial commands. A geo set is a sorted set whose scores are 52-bit
 * geohashes (see src/types/geohash.ts): GEOADD is ZADD with encoded scores,
 * searches scan the score ranges of the geohash cells around the centre and
 * filter the candidates by exact distance.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, parseIntOrReply } from './util';
import { parseDouble } from '../util/numbers';
import { ZSet, type ScoreRange } from '../types/zset';
import {
  GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, decodeScore, distance, distanceIfInShape, geohashString,
  scoreOf, scoreRangeOf, searchAreas, type GeoHash, type GeoShape,
} from '../types/geohash';
import { storeResult, zaddCommand } from './zsets';

const ERR_DECODE_MEMBER = 'ERR could not decode requested zset member';
const ERR_UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const ERR_RADIUS = 'ERR need numeric radius';
const ERR_RADIUS_NEG = 'ERR radius cannot be negative';
const ERR_WIDTH = 'ERR need numeric width';
const ERR_HEIGHT = 'ERR need numeric height';
const ERR_BOX_NEG = 'ERR height or width cannot be negative';
const ERR_COUNT = 'ERR COUNT must be > 0';
const ERR_ANY = 'ERR the ANY argument requires COUNT argument';

// ----------------------------------------------------------------------------
// Formatting and argument helpers
// ----------------------------------------------------------------------------

/** C's "%f" (6 decimals). */
function formatF6(d: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Math.abs(d) >= 1e21) return BigInt(d).toString() + '.000000';
  return d.toFixed(6);
}

/**
 * Distances: 4 decimals, the value scaled by 10^4 and rounded to the nearest
 * integer (ties to even), as Redis 7.2 prints them.
 */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const v = d * 10000;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  const neg = r < 0;
  const a = Math.abs(r);
  const int = Math.floor(a / 10000);
  const frac = String(a - int * 10000).padStart(4, '0');
  return (neg ? '-' : '') + int + '.' + frac;
}

/**
 * Coordinates: the exact value with 17 decimals (glibc rounds exact ties to
 * even), trailing zeros removed ("%.17Lf" then trimmed, as Redis's
 * human-friendly long double form).
 */
export function formatCoord(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  let s = d.toFixed(17);
  const t = d.toFixed(30);
  const dot = t.indexOf('.');
  if (t.charCodeAt(dot + 18) === 53 && /^0+$/.test(t.slice(dot + 19))) {
    // Possibly an exact tie at the 18th decimal: decide with all the digits.
    const full = d.toFixed(100);
    const fd = full.indexOf('.');
    if (/^50*$/.test(full.slice(fd + 18))) {
      const trunc = full.slice(0, fd + 18);
      const last = trunc.charCodeAt(trunc.length - 1) - 48;
      if (last % 2 === 0) s = trunc;
    }
  }
  if (s.indexOf('.') >= 0) {
    let e = s.length;
    while (s.charCodeAt(e - 1) === 48) e--;
    if (s.charCodeAt(e - 1) === 46) e--;
    s = s.slice(0, e);
  }
  return s;
}

/** A coordinate reply: a double in RESP3, a bulk string in RESP2. */
function replyCoord(c: Client, d: number): void {
  if (c.w.proto === 3) c.w.rawStr(',' + formatCoord(d) + '\r\n');
  else c.w.bulk(formatCoord(d));
}

/** Parse "lon lat" at args[i], args[i+1]; replies and returns null when invalid. */
function parseLonLatOrReply(c: Client, args: string[], i: number): [number, number] | null {
  const lon = parseDouble(args[i]);
  if (lon === null) {
    c.w.error(E.NOT_FLOAT);
    return null;
  }
  const lat = parseDouble(args[i + 1]);
  if (lat === null) {
    c.w.error(E.NOT_FLOAT);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.w.error(`ERR invalid longitude,latitude pair ${formatF6(lon)},${formatF6(lat)}`);
    return null;
  }
  return [lon, lat];
}

/** Meters per unit; replies and returns -1 when the unit is unknown. */
function parseUnitOrReply(c: Client, u: string): number {
  switch (u.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      c.w.error(ERR_UNIT);
      return -1;
  }
}

/** "radius unit" into the shape; false after replying an error. */
function parseRadiusOrReply(c: Client, args: string[], i: number, shape: GeoShape): boolean {
  const r = parseDouble(args[i]);
  if (r === null) {
    c.w.error(ERR_RADIUS);
    return false;
  }
  if (r < 0) {
    c.w.error(ERR_RADIUS_NEG);
    return false;
  }
  const conv = parseUnitOrReply(c, args[i + 1]);
  if (conv < 0) return false;
  shape.circle = true;
  shape.radius = r;
  shape.conversion = conv;
  return true;
}

/** "width height unit" into the shape; false after replying an error. */
function parseBoxOrReply(c: Client, args: string[], i: number, shape: GeoShape): boolean {
  const w = parseDouble(args[i]);
  if (w === null) {
    c.w.error(ERR_WIDTH);
    return false;
  }
  const h = parseDouble(args[i + 1]);
  if (h === null) {
    c.w.error(ERR_HEIGHT);
    return false;
  }
  if (h < 0 || w < 0) {
    c.w.error(ERR_BOX_NEG);
    return false;
  }
  const conv = parseUnitOrReply(c, args[i + 2]);
  if (conv < 0) return false;
  shape.circle = false;
  shape.width = w;
  shape.height = h;
  shape.conversion = conv;
  return true;
}

/** The geo set at `key`: undefined when missing, null after replying WRONGTYPE. */
function readGeoOrReply(c: Client, key: string): ZSet | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

// ----------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS
// ----------------------------------------------------------------------------

/* GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...] */
function geoaddCommand(c: Client, args: string[]): void {
  let xx = false;
  let nx = false;
  let idx = 2;
  for (; idx < args.length; idx++) {
    const o = args[idx].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
  }
  if ((args.length - idx) % 3 !== 0 || (xx && nx)) {
    c.w.error(E.SYNTAX);
    return;
  }
  const elements = (args.length - idx) / 3;
  const zargs: string[] = new Array<string>(idx + elements * 2);
  zargs[0] = 'zadd';
  for (let i = 1; i < idx; i++) zargs[i] = args[i];
  for (let i = 0; i < elements; i++) {
    const ll = parseLonLatOrReply(c, args, idx + i * 3);
    if (ll === null) return;
    zargs[idx + i * 2] = String(scoreOf(ll[0], ll[1]));
    zargs[idx + i * 2 + 1] = args[idx + i * 3 + 2];
  }
  // GEOADD is a ZADD with encoded scores, and propagates as one.
  zaddCommand(c, zargs);
  c.propagateArgs = zargs;
}

/* GEODIST key member1 member2 [M | KM | FT | MI] */
function geodistCommand(c: Client, args: string[]): void {
  let toMeter = 1;
  if (args.length === 5) {
    toMeter = parseUnitOrReply(c, args[4]);
    if (toMeter < 0) return;
  } else if (args.length > 5) {
    c.w.error(E.SYNTAX);
    return;
  }
  const zs = readGeoOrReply(c, args[1]);
  if (zs === null) return;
  const s1 = zs === undefined ? undefined : zs.score(args[2]);
  const s2 = zs === undefined ? undefined : zs.score(args[3]);
  if (s1 === undefined || s2 === undefined) {
    c.w.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.w.bulk(formatDistance(distance(lon1, lat1, lon2, lat2) / toMeter));
}

/* GEOHASH key [member [member ...]] */
function geohashCommand(c: Client, args: string[]): void {
  const zs = readGeoOrReply(c, args[1]);
  if (zs === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const s = zs === undefined ? undefined : zs.score(args[j]);
    if (s === undefined) c.w.nullBulk();
    else c.w.bulk(geohashString(s));
  }
}

/* GEOPOS key [member [member ...]] */
function geoposCommand(c: Client, args: string[]): void {
  const zs = readGeoOrReply(c, args[1]);
  if (zs === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const s = zs === undefined ? undefined : zs.score(args[j]);
    if (s === undefined) {
      c.w.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(s);
    c.w.arrayHeader(2);
    replyCoord(c, lon);
    replyCoord(c, lat);
  }
}

// ----------------------------------------------------------------------------
// Searches: GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH, GEOSEARCHSTORE
// ----------------------------------------------------------------------------

const F_COORDS = 1;
const F_MEMBER = 2;
const F_NOSTORE = 4;
const F_SEARCH = 8;
const F_SEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** Position of a member: [lon, lat], or null when absent. */
function memberPosition(zs: ZSet, member: string): [number, number] | null {
  const s = zs.score(member);
  return s === undefined ? null : decodeScore(s);
}

/** Append the members of one cell that fall inside the shape; stops at `limit` (0 = none). */
function membersOfBox(zs: ZSet, h: GeoHash, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const [min, max] = scoreRangeOf(h);
  const range: ScoreRange = { min, max, minex: false, maxex: true };
  const rr = zs.scoreRangeRanks(range);
  if (rr === null) return;
  zs.range(rr[0], rr[1] - rr[0] + 1, false, (member, score) => {
    const [lon, lat] = decodeScore(score);
    const d = distanceIfInShape(shape, lon, lat);
    if (d >= 0) out.push({ member, score, lon, lat, dist: d });
    return !(out.length > 0 && limit > 0 && out.length >= limit);
  });
}

/** Every member inside the shape, in cell scan order. */
function membersOfAllNeighbors(zs: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const areas = searchAreas(shape);
  const out: GeoPoint[] = [];
  let last = -1;
  for (let i = 0; i < areas.length; i++) {
    const h = areas[i];
    if (h === null) continue;
    // With huge radiuses adjacent neighbours can be the same cell: scan it once.
    if (last > 0) {
      const p = areas[last] as GeoHash;
      if (p.lon === h.lon && p.lat === h.lat && p.step === h.step) continue;
    }
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    membersOfBox(zs, h, shape, out, limit);
    last = i;
  }
  return out;
}

/**
 * GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
 *   [COUNT count [ANY]] [ASC|DESC] [STORE key | STOREDIST key]
 * GEORADIUSBYMEMBER key member radius unit ... (same options)
 * GEOSEARCH key FROMMEMBER member | FROMLONLAT lon lat  BYRADIUS r unit | BYBOX w h unit
 *   [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
 * GEOSEARCHSTORE destination source ... [STOREDIST]
 */
function georadiusGeneric(c: Client, args: string[], srcIdx: number, flags: number): void {
  const zs = readGeoOrReply(c, args[srcIdx]);
  if (zs === null) return;
  const shape: GeoShape = { circle: true, lon: 0, lat: 0, conversion: 1, radius: 0, width: 0, height: 0 };
  let storeKey: string | null = null;
  let storedist = false;
  let base: number;
  if (flags & F_COORDS) {
    base = 6;
    const ll = parseLonLatOrReply(c, args, 2);
    if (ll === null) return;
    [shape.lon, shape.lat] = ll;
    if (!parseRadiusOrReply(c, args, base - 2, shape)) return;
  } else if (flags & F_MEMBER && zs === undefined) {
    // No source: parse the options anyway to know which empty reply to give.
    base = 5;
  } else if (flags & F_MEMBER) {
    base = 5;
    const pos = memberPosition(zs as ZSet, args[2]);
    if (pos === null) {
      c.w.error(ERR_DECODE_MEMBER);
      return;
    }
    [shape.lon, shape.lat] = pos;
    if (!parseRadiusOrReply(c, args, base - 2, shape)) return;
  } else {
    base = 2;
    if (flags & F_SEARCHSTORE) {
      base = 3;
      storeKey = args[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = args.length - base;
  for (let i = 0; i < remaining; i++) {
    const a = args[base + i].toLowerCase();
    if (a === 'withdist') withDist = true;
    else if (a === 'withhash') withHash = true;
    else if (a === 'withcoord') withCoords = true;
    else if (a === 'any') any = true;
    else if (a === 'asc') sort = SORT_ASC;
    else if (a === 'desc') sort = SORT_DESC;
    else if (a === 'count' && i + 1 < remaining) {
      const n = parseIntOrReply(c, args[base + i + 1]);
      if (n === null) return;
      if (n <= 0) {
        c.w.error(ERR_COUNT);
        return;
      }
      count = n;
      i++;
    } else if ((a === 'store' || a === 'storedist') && i + 1 < remaining && !(flags & F_NOSTORE) && !(flags & F_SEARCH)) {
      storeKey = args[base + i + 1];
      storedist = a === 'storedist';
      i++;
    } else if (a === 'storedist' && flags & F_SEARCH && flags & F_SEARCHSTORE) {
      storedist = true;
    } else if (a === 'frommember' && i + 1 < remaining && flags & F_SEARCH && !fromLoc) {
      if (zs !== undefined) {
        const pos = memberPosition(zs, args[base + i + 1]);
        if (pos === null) {
          c.w.error(ERR_DECODE_MEMBER);
          return;
        }
        [shape.lon, shape.lat] = pos;
      }
      fromMember = true;
      i++;
    } else if (a === 'fromlonlat' && i + 2 < remaining && flags & F_SEARCH && !fromMember) {
      const ll = parseLonLatOrReply(c, args, base + i + 1);
      if (ll === null) return;
      [shape.lon, shape.lat] = ll;
      fromLoc = true;
      i += 2;
    } else if (a === 'byradius' && i + 2 < remaining && flags & F_SEARCH && !byBox) {
      if (!parseRadiusOrReply(c, args, base + i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (a === 'bybox' && i + 3 < remaining && flags & F_SEARCH && !byRadius) {
      if (!parseBoxOrReply(c, args, base + i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    c.w.error(`ERR ${flags & F_SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (flags & F_SEARCH && !(fromMember || fromLoc)) {
    c.w.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]}`);
    return;
  }
  if (flags & F_SEARCH && !(byRadius || byBox)) {
    c.w.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]}`);
    return;
  }
  if (any && count === 0) {
    c.w.error(ERR_ANY);
    return;
  }

  if (zs === undefined) {
    if (storeKey !== null) {
      const db = c.db;
      if (db.delete(storeKey)) keyChanged(c, db, storeKey, NOTIFY.GENERIC, 'del');
      c.w.int(0);
    } else c.w.arrayHeader(0);
    return;
  }

  // COUNT needs the closest elements: sort ascending unless ANY.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const points = membersOfAllNeighbors(zs, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) {
    c.w.arrayHeader(0);
    return;
  }
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort === SORT_ASC) points.sort((a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1));
  else if (sort === SORT_DESC) points.sort((a, b) => (a.dist < b.dist ? 1 : a.dist === b.dist ? 0 : -1));

  if (storeKey === null) {
    const w = c.w;
    let opts = 0;
    if (withDist) opts++;
    if (withCoords) opts++;
    if (withHash) opts++;
    w.arrayHeader(returned);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (opts > 0) w.arrayHeader(opts + 1);
      w.bulk(p.member);
      if (withDist) w.bulk(formatDistance(p.dist / shape.conversion));
      if (withHash) w.int(p.score);
      if (withCoords) {
        w.arrayHeader(2);
        replyCoord(c, p.lon);
        replyCoord(c, p.lat);
      }
    }
    return;
  }
  const out = new ZSet(false);
  let maxLen = 0;
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    out.set(p.member, storedist ? p.dist / shape.conversion : p.score);
    if (p.member.length > maxLen) maxLen = p.member.length;
  }
  storeResult(c, storeKey, out, flags & F_SEARCH ? 'geosearchstore' : 'georadiusstore', maxLen, returned);
}

/** Keys of GEORADIUS/GEORADIUSBYMEMBER: the source, and a STORE/STOREDIST destination. */
function georadiusKeys(firstOpt: number): (args: string[]) => number[] {
  return (args) => {
    const out = [1];
    let stored = -1;
    for (let i = firstOpt; i < args.length; i++) {
      const a = args[i].toLowerCase();
      if ((a === 'store' || a === 'storedist') && i + 1 < args.length) {
        stored = i + 1;
        i++;
      }
    }
    if (stored > 0) out.push(stored);
    return out;
  };
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const GOPTS = { group: 'geo' };

export const commands: CommandDef[] = [
  command('geoadd', -5, 'write denyoom', [1, 1, 1], 'geo', geoaddCommand, { ...GOPTS, since: '3.2.0' }),
  command('geodist', -4, 'readonly', [1, 1, 1], 'geo', geodistCommand, { ...GOPTS, since: '3.2.0' }),
  command('geohash', -2, 'readonly', [1, 1, 1], 'geo', geohashCommand, { ...GOPTS, since: '3.2.0' }),
  command('geopos', -2, 'readonly', [1, 1, 1], 'geo', geoposCommand, { ...GOPTS, since: '3.2.0' }),
  command('georadius', -6, 'write denyoom', [1, 1, 1], 'geo', (c, a) => georadiusGeneric(c, a, 1, F_COORDS), { ...GOPTS, since: '3.2.0', getKeys: georadiusKeys(5) }),
  command('georadius_ro', -6, 'readonly', [1, 1, 1], 'geo', (c, a) => georadiusGeneric(c, a, 1, F_COORDS | F_NOSTORE), { ...GOPTS, since: '3.2.10' }),
  command('georadiusbymember', -5, 'write denyoom', [1, 1, 1], 'geo', (c, a) => georadiusGeneric(c, a, 1, F_MEMBER), { ...GOPTS, since: '3.2.0', getKeys: georadiusKeys(4) }),
  command('georadiusbymember_ro', -5, 'readonly', [1, 1, 1], 'geo', (c, a) => georadiusGeneric(c, a, 1, F_MEMBER | F_NOSTORE), { ...GOPTS, since: '3.2.10' }),
  command('geosearch', -7, 'readonly', [1, 1, 1], 'geo', (c, a) => georadiusGeneric(c, a, 1, F_SEARCH), { ...GOPTS, since: '6.2.0' }),
  command('geosearchstore', -8, 'write denyoom', [1, 2, 1], 'geo', (c, a) => georadiusGeneric(c, a, 2, F_SEARCH | F_SEARCHSTORE), { ...GOPTS, since: '6.2.0' }),
];
