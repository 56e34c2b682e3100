/*
 * Glob-style pattern matching with Redis's rules (KEYS, SCAN MATCH, PSUBSCRIBE,
 * CONFIG GET, ACL patterns): `*`, `?`, `[abc]`, `[^a-z]`, `\x` escapes, with an
 * optional case-insensitive mode. Patterns made to backtrack (many `*`) are
 * bounded: consecutive stars collapse, and a failed star match ends the whole
 * match early, as Redis 7.2 does, so matching is polynomial.
 */

const SKIP_LONGER = 1;

export function globMatch(pattern: string, str: string, nocase = false): boolean {
  return matchImpl(pattern, 0, str, 0, nocase, { skipLonger: 0 }, 0) === 1;
}

function lc(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

// Returns 1 on match, 0 on no match. state.skipLonger is set when a star
// already failed for every longer suffix, so outer stars can stop early.
function matchImpl(p: string, pi: number, s: string, si: number, nocase: boolean, state: { skipLonger: number }, depth: number): number {
  if (depth > 1000) return 0;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: /* '*' */ {
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return 1;
        while (si < slen) {
          if (matchImpl(p, pi + 1, s, si, nocase, state, depth + 1)) return 1;
          if (state.skipLonger) return 0;
          si++;
        }
        state.skipLonger = SKIP_LONGER;
        return 0;
      }
      case 63: /* '?' */
        si++;
        break;
      case 91: /* '[' */ {
        pi++;
        const not = p.charCodeAt(pi) === 94;
        if (not) pi++;
        let match = false;
        for (;;) {
          if (pi >= plen) {
            pi--; // pattern ended inside []: treat as end
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === 92 /* '\\' */ && pi + 2 <= plen - 1 + 1 && pi + 1 < plen) {
            pi++;
            if (p.charCodeAt(pi) === s.charCodeAt(si)) match = true;
          } else if (c === 93 /* ']' */) {
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* '-' */) {
            let start = p.charCodeAt(pi);
            let end = p.charCodeAt(pi + 2);
            const ch = lc(s.charCodeAt(si), nocase);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            start = lc(start, nocase);
            end = lc(end, nocase);
            pi += 2;
            if (ch >= start && ch <= end) match = true;
          } else {
            if (lc(c, nocase) === lc(s.charCodeAt(si), nocase)) match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return 0;
        si++;
        break;
      }
      default:
        if (pc === 92 /* '\\' */ && pi + 1 < plen) pi++;
        if (lc(p.charCodeAt(pi), nocase) !== lc(s.charCodeAt(si), nocase)) return 0;
        si++;
        break;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  if (si === slen) while (pi < plen && p.charCodeAt(pi) === 42) pi++;
  return pi === plen && si === slen ? 1 : 0;
}
