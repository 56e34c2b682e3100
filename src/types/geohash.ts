/*
 * Geohash encoding and the geometry behind the GEO commands, following the
 * facts Redis documents for its implementation: 26 bits per coordinate
 * interleaved into a 52-bit integer (latitude in the even bits, longitude in
 * the odd ones) stored as the sorted set score; Web Mercator latitude limits;
 * haversine distances on a sphere of radius 6372797.560856 m; and searches
 * that scan the geohash box of the centre plus its eight neighbours at a
 * precision (step) estimated from the search radius.
 *
 * A hash is kept de-interleaved ({lon, lat, step}): moving to a neighbour is
 * then a wrap-around increment of one coordinate, and the interleaved integer
 * is only built where a score is needed. Everything is exact in doubles
 * (values stay below 2^53).
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

export interface GeoRange {
  min: number;
  max: number;
}

/** A geohash cell: its coordinate indexes (`step` bits each). */
export interface GeoHash {
  lon: number;
  lat: number;
  step: number;
}

export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash ranges (GEOHASH output). */
export const STD_LONG: GeoRange = { min: -180, max: 180 };
export const STD_LAT: GeoRange = { min: -90, max: 90 };

export function degRad(ang: number): number {
  return ang * D_R;
}

export function radDeg(ang: number): number {
  return ang / D_R;
}

// ----------------------------------------------------------------------------
// Bit interleaving
// ----------------------------------------------------------------------------

/** Spread the 16 low bits of x to the even bits of a 32-bit value. */
function spread16(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

/** Gather the even bits of a 32-bit value into 16 bits. */
function compact16(v: number): number {
  let x = v & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

const TWO32 = 4294967296;

/** Interleave lat (even bits) and lon (odd bits), each up to 27 bits, into one integer. */
export function interleave(lat: number, lon: number): number {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** Split an interleaved integer (up to 2^64, exact in a double) into [lat, lon]. */
export function deinterleave(bits: number): [number, number] {
  const hi = Math.floor(bits / TWO32);
  const lo = bits - hi * TWO32;
  const lat = compact16(lo) + compact16(hi) * 65536;
  const lon = compact16(lo >>> 1) + compact16(hi >>> 1) * 65536;
  return [lat, lon];
}

/** The interleaved bits of a hash. */
export function hashBits(h: GeoHash): number {
  return interleave(h.lat, h.lon);
}

/** The 52-bit score of a hash (its bits shifted to full precision). */
export function align52(h: GeoHash): number {
  return hashBits(h) * Math.pow(2, 52 - h.step * 2);
}

// ----------------------------------------------------------------------------
// Encode / decode
// ----------------------------------------------------------------------------

/** Encode a position at `step` bits per coordinate; null when out of range. */
export function encode(longRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): GeoHash | null {
  if (longitude > 180 || longitude < -180 || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  const scale = Math.pow(2, step);
  latOffset *= scale;
  longOffset *= scale;
  // C converts to uint32 by truncation.
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(longOffset) >>> 0, step };
}

/** Encode with the WGS84/Mercator ranges at full precision. */
export function encodeWGS84(longitude: number, latitude: number): GeoHash | null {
  return encode(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX);
}

/** The cell of a hash. */
export function decode(longRange: GeoRange, latRange: GeoRange, h: GeoHash): GeoArea {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const div = Math.pow(2, h.step);
  return {
    latMin: latRange.min + (h.lat / div) * latScale,
    latMax: latRange.min + ((h.lat + 1) / div) * latScale,
    lonMin: longRange.min + (h.lon / div) * longScale,
    lonMax: longRange.min + ((h.lon + 1) / div) * longScale,
  };
}

/** Centre of a cell, clamped to the valid coordinates: [lon, lat]. */
export function areaCentre(a: GeoArea): [number, number] {
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

/** The hash stored in a sorted set score (52 bits at full precision). */
export function hashFromScore(score: number): GeoHash {
  // C converts the double to uint64; keep what a non-negative integer gives.
  let bits = Math.trunc(score);
  if (!(bits >= 0)) bits = 0;
  if (bits >= 18446744073709551616) bits = 0;
  const [lat, lon] = deinterleave(bits);
  return { lat, lon, step: GEO_STEP_MAX };
}

/** Decode a sorted set score to [lon, lat]. */
export function decodeScore(score: number): [number, number] {
  return areaCentre(decode(WGS84_LONG, WGS84_LAT, hashFromScore(score)));
}

/** The score for a position (which must be valid). */
export function scoreOf(longitude: number, latitude: number): number | null {
  const h = encodeWGS84(longitude, latitude);
  return h === null ? null : align52(h);
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The standard 11-character geohash text of a stored score (GEOHASH). */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const h = encode(STD_LONG, STD_LAT, lon, lat, GEO_STEP_MAX);
  const bits = h === null ? 0 : hashBits(h);
  let out = '';
  for (let i = 0; i < 11; i++) {
    // 52 bits give ten 5-bit characters; the eleventh is '0' as Redis emits.
    const idx = i === 10 ? 0 : Math.floor(bits / Math.pow(2, 52 - (i + 1) * 5)) % 32;
    out += GEOALPHABET[idx];
  }
  return out;
}

// ----------------------------------------------------------------------------
// Neighbours
// ----------------------------------------------------------------------------

export interface GeoNeighbors {
  north: GeoHash | null;
  east: GeoHash | null;
  west: GeoHash | null;
  south: GeoHash | null;
  northEast: GeoHash | null;
  southEast: GeoHash | null;
  northWest: GeoHash | null;
  southWest: GeoHash | null;
}

function move(h: GeoHash, dx: number, dy: number): GeoHash {
  const m = Math.pow(2, h.step);
  return { lon: (h.lon + dx + m) % m, lat: (h.lat + dy + m) % m, step: h.step };
}

export function neighbors(h: GeoHash): GeoNeighbors {
  return {
    east: move(h, 1, 0),
    west: move(h, -1, 0),
    south: move(h, 0, -1),
    north: move(h, 0, 1),
    northWest: move(h, -1, 1),
    southWest: move(h, -1, -1),
    northEast: move(h, 1, 1),
    southEast: move(h, 1, -1),
  };
}

// ----------------------------------------------------------------------------
// Distances and shapes
// ----------------------------------------------------------------------------

/** Distance along a meridian between two latitudes. */
export function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** Haversine distance in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same longitude: only the latitude difference matters.
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** A search shape: a circle (radius) or a box (width × height), in `conversion` units per meter. */
export interface GeoShape {
  circle: boolean;
  lon: number;
  lat: number;
  /** Meters per unit. */
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

/** Distance from the shape's centre to (lon, lat) in meters when inside, else -1. */
export function distanceIfInShape(s: GeoShape, lon: number, lat: number): number {
  if (s.circle) {
    const d = distance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  if (latDistance(lat, s.lat) > heightM / 2) return -1;
  if (distance(lon, lat, s.lon, lat) > widthM / 2) return -1;
  return distance(s.lon, s.lat, lon, lat);
}

/** [minLon, minLat, maxLon, maxLat] enclosing the shape. */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.circle ? s.radius : s.height / 2);
  const width = s.conversion * (s.circle ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
  // The hemispheres are mirrored: the wider edge is the one nearer the equator.
  const southern = s.lat < 0;
  const minLon = southern ? s.lon - longDeltaBottom : s.lon - longDeltaTop;
  const maxLon = southern ? s.lon + longDeltaBottom : s.lon + longDeltaTop;
  return [minLon, s.lat - latDelta, maxLon, s.lat + latDelta];
}

/** Geohash precision for a search of `rangeMeters` around latitude `lat`. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let range = rangeMeters;
  let step = 1;
  while (range < MERCATOR_MAX) {
    range *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most cases
  // Cells get narrower towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/**
 * The cells to scan for a shape, in scan order: the centre cell then north,
 * south, east, west, north-east, north-west, south-east, south-west (null =
 * skipped because it cannot intersect the shape).
 */
export function searchAreas(s: GeoShape): (GeoHash | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const radiusMeters = (s.circle ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))) * s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, s.lat);
  let hash = encode(WGS84_LONG, WGS84_LAT, s.lon, s.lat, steps) as GeoHash;
  let nb = neighbors(hash);
  let area = decode(WGS84_LONG, WGS84_LAT, hash);

  // Near the edges of the area the estimated step may be too coarse for the
  // neighbours to cover the shape: use one step less then.
  let decrease = false;
  {
    const north = decode(WGS84_LONG, WGS84_LAT, nb.north as GeoHash);
    const south = decode(WGS84_LONG, WGS84_LAT, nb.south as GeoHash);
    const east = decode(WGS84_LONG, WGS84_LAT, nb.east as GeoHash);
    const west = decode(WGS84_LONG, WGS84_LAT, nb.west as GeoHash);
    if (north.latMax < maxLat) decrease = true;
    if (south.latMin > minLat) decrease = true;
    if (east.lonMax < maxLon) decrease = true;
    if (west.lonMin > minLon) decrease = true;
  }
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(WGS84_LONG, WGS84_LAT, s.lon, s.lat, steps) as GeoHash;
    nb = neighbors(hash);
    area = decode(WGS84_LONG, WGS84_LAT, hash);
  }

  // Drop the neighbours the shape cannot reach.
  if (steps >= 2) {
    if (area.latMin < minLat) {
      nb.south = null;
      nb.southWest = null;
      nb.southEast = null;
    }
    if (area.latMax > maxLat) {
      nb.north = null;
      nb.northEast = null;
      nb.northWest = null;
    }
    if (area.lonMin < minLon) {
      nb.west = null;
      nb.southWest = null;
      nb.northWest = null;
    }
    if (area.lonMax > maxLon) {
      nb.east = null;
      nb.southEast = null;
      nb.northEast = null;
    }
  }
  return [hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest];
}

/** The [min, max) score interval of the points inside a cell. */
export function scoreRangeOf(h: GeoHash): [number, number] {
  const bits = hashBits(h);
  const shift = Math.pow(2, 52 - h.step * 2);
  return [bits * shift, (bits + 1) * shift];
}
