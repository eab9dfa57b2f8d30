// A small check of a Node version against an `engines.node` range, for the range forms npm
// packages use (`>=X.Y`, `>= 10.x`, `^X.Y.Z`, `~X.Y`, bare `20`, `*`, `a || b`, `>=1 <2`), so the
// dependency test needs no semver package. A form it does not know throws: an unread range must
// fail the test, not pass it.

type Version = readonly [number, number, number];

const COMPARATOR = /^(>=|<=|>|<|=|\^|~)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/u;

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function parseVersion(text: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/u.exec(text);
  if (!m) throw new Error(`not a version: '${text}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** [lowest allowed, first excluded) for one comparator; undefined bounds are open. */
function bounds(comparator: string): { lo?: Version | undefined; hi?: Version | undefined } {
  const m = COMPARATOR.exec(comparator);
  if (!m) throw new Error(`unsupported engines range comparator '${comparator}'`);
  const op = m[1] ?? '=';
  // Parts after the first wildcard are wildcards too (`1.x.3` means `1.x`).
  const parts: number[] = [];
  for (const p of [m[2], m[3], m[4]]) {
    if (p === undefined || /[xX*]/u.test(p)) break;
    parts.push(Number(p));
  }
  const given = parts.length;
  const floor: Version = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
  // The first version above everything the partial version names (`1.2` -> 1.3.0).
  const next = (n: number): Version | undefined =>
    n === 0 ? undefined : n === 1 ? [floor[0] + 1, 0, 0] : n === 2 ? [floor[0], floor[1] + 1, 0] : [floor[0], floor[1], floor[2] + 1];
  if (given === 0 && (op === '~' || op === '^')) return {};
  switch (op) {
    case '>=': return { lo: floor };
    case '>': return given === 0 ? { lo: [Infinity, 0, 0] } : { lo: next(given) ?? floor };
    case '<': return given === 0 ? { hi: [0, 0, 0] } : { hi: floor };
    case '<=': return { hi: next(given) };
    case '=': return { lo: floor, hi: next(given) };
    case '~': return { lo: floor, hi: next(Math.min(Math.max(given, 1), 2)) };
    case '^': {
      // The first non-zero given part is the one that may not change.
      const keep = floor[0] > 0 || given <= 1 ? 1 : floor[1] > 0 || given === 2 ? 2 : 3;
      return { lo: floor, hi: next(keep) };
    }
    default: throw new Error(`unsupported operator in '${comparator}'`);
  }
}

function satisfiesComparator(v: Version, comparator: string): boolean {
  const { lo, hi } = bounds(comparator);
  return (lo === undefined || compare(v, lo) >= 0) && (hi === undefined || compare(v, hi) < 0);
}

/** True when `version` (e.g. '20.19.0') lies in the npm `range`. */
export function nodeVersionSatisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alternative) => {
    // `>= 4` is one comparator: glue an operator to the version that follows it.
    const comparators = alternative.trim().replace(/([<>=^~])\s+/gu, '$1').split(/\s+/u).filter(Boolean);
    if (comparators.some((c) => c.includes(' - ') || c === '-')) throw new Error(`hyphen ranges are not supported: '${range}'`);
    return comparators.length === 0 || comparators.every((c) => satisfiesComparator(v, c));
  });
}
