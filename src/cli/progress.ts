import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, detail: string): void;
  /** The total becomes known late (a shard's laptops are counted by the run). */
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; a plain line every few seconds otherwise
 * (CI logs), so long runs never look hung. Writes to stderr: stdout stays
 * clean for --json.
 */
export function createProgress(label: string, total: number, opts: { quiet?: boolean; intervalMs?: number } = {}): Progress {
  if (opts.quiet) return { update() {}, setTotal() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {detail}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return { update: (done, detail) => bar.update(done, { detail }), setTotal: (n) => bar.setTotal(n), stop: () => bar.stop() };
  }
  const interval = opts.intervalMs ?? 5_000;
  const started = Date.now();
  let lastPrint = started;
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - lastPrint < interval && done < total) return;
      lastPrint = now;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      process.stderr.write(`${label}: ${done}/${total} (${pct}%) after ${((now - started) / 1000).toFixed(0)} s, ${detail}\n`);
    },
    setTotal(n) {
      total = n;
    },
    stop() {},
  };
}
