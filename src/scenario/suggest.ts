/** "Did you mean …?" for misspelt field names, enum values and metric paths. */

/** Levenshtein distance, with an adjacent transposition counting as one edit (Damerau, restricted). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * The closest candidate to `given`, if it is close enough to be a plausible
 * typo: at most a third of the longer name's length in edits (at least 1, at
 * most 4), compared case-insensitively; a candidate that starts with what was
 * given, give or take one edit ("cooldwn" → "cooldownMinutes"), also counts.
 */
export function didYouMean(given: string, candidates: readonly string[]): string | undefined {
  const g = given.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = lc === g ? 0 : editDistance(g, lc);
    const limit = Math.min(4, Math.max(1, Math.floor(Math.max(g.length, lc.length) / 3)));
    let score = d <= limit ? d : Infinity;
    // A shortened name, possibly misspelt too: "pauseCap" → "pauseCapMinutes", "cooldwn" → "cooldownMinutes".
    if (g.length >= 4 && lc.length > g.length) {
      let prefixD = Infinity;
      for (let len = g.length - 1; len <= g.length + 1; len++) prefixD = Math.min(prefixD, editDistance(g, lc.slice(0, len)));
      if (prefixD <= 1) score = Math.min(score, prefixD + 0.5 + (lc.length - g.length) / 1000);
    }
    if (score < bestD) {
      best = c;
      bestD = score;
    }
  }
  return best;
}
