/**
 * One self-contained HTML page (inline CSS and SVG; inline scripts only where a page lets the reader explore, no external
 * assets: it opens offline and in mail clients). It presents figures computed
 * elsewhere; the only arithmetic here is scaling to pixels.
 */

export interface ReportSection {
  readonly title: string;
  readonly html: string;
}

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, subtitle: string, sections: readonly ReportSection[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1000px;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid #dde;padding-bottom:.3rem}
.sub{color:#5a6478;margin:0 0 1.2rem}table{border-collapse:collapse;margin:.4rem 0}td,th{padding:.25rem .7rem;border-bottom:1px solid #eef;text-align:right}
td:first-child,th:first-child{text-align:left}.pass{color:#17803d;font-weight:600}.fail{color:#b42318;font-weight:600}
svg{display:block;margin:.4rem 0}svg text{font:11px system-ui,sans-serif;fill:#5a6478}.chart-title{font-weight:600;fill:#1d2330}
</style></head><body>
<h1>${esc(title)}</h1><p class="sub">${esc(subtitle)}</p>
${sections.map((s) => `<section><h2>${esc(s.title)}</h2>${s.html}</section>`).join('\n')}
</body></html>
`;
}

export function table(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  cellClass?: (row: number, col: number) => string | undefined,
): string {
  const cell = (v: string | number) => esc(typeof v === 'number' ? formatNumber(v) : v);
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r, i) =>
        `<tr>${r
          .map((v, j) => {
            const c = cellClass?.(i, j);
            return `<td${c ? ` class="${c}"` : ''}>${cell(v)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return x.toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

const W = 900;
const H = 240;
const PAD = { l: 60, r: 20, t: 24, b: 36 };
const COLOURS = ['#2f6fdf', '#e0803a', '#2a9d6f', '#9b59b6', '#c0392b'];

/**
 * Lines over a shared x axis (labels), one per series. `tickEvery` puts an x
 * label on every n-th point (e.g. 6 for every 6 hours); by default about 12.
 * `unit` is written above the y axis.
 */
export function lineChart(
  title: string,
  labels: readonly string[],
  series: readonly { name: string; values: readonly number[] }[],
  o: { readonly tickEvery?: number; readonly unit?: string } = {},
): string {
  const top = niceTop(Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite))));
  const n = Math.max(1, labels.length - 1);
  const x = (i: number) => PAD.l + ((W - PAD.l - PAD.r) * i) / n;
  const y = (v: number) => H - PAD.b - ((H - PAD.t - PAD.b) * v) / top.max;
  const lines = series
    .map(
      (s, k) =>
        `<polyline data-series="${esc(s.name)}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`,
    )
    .join('');
  const step = o.tickEvery ?? Math.max(1, Math.ceil(labels.length / 12));
  const ticks = labels
    .map((l, i) => (i % step === 0 && l !== '' ? `<text x="${x(i)}" y="${H - 14}" text-anchor="middle">${esc(l)}</text>` : ''))
    .join('');
  const legend = series
    .map((s, k) => `<text x="${PAD.l + 10 + k * 260}" y="14" style="fill:${COLOURS[k % COLOURS.length]}">■ ${esc(s.name)}</text>`)
    .join('');
  return svg(title, `${axes(top, o.unit)}${lines}${ticks}${legend}`);
}

/** Bars for named categories. */
export function barChart(title: string, bars: readonly { label: string; value: number }[], unit = '', axisUnit?: string): string {
  const top = niceTop(Math.max(0, ...bars.map((b) => b.value).filter(Number.isFinite)));
  const max = top.max;
  const bw = (W - PAD.l - PAD.r) / Math.max(1, bars.length);
  const body = bars
    .map((b, i) => {
      const h = ((H - PAD.t - PAD.b) * b.value) / max;
      const x = PAD.l + i * bw + bw * 0.15;
      return (
        `<rect x="${x.toFixed(1)}" y="${(H - PAD.b - h).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[0]}"><title>${esc(b.label)}: ${formatNumber(b.value)}${unit}</title></rect>` +
        `<text x="${(x + bw * 0.35).toFixed(1)}" y="${H - 14}" text-anchor="middle">${esc(b.label)}</text>`
      );
    })
    .join('');
  return svg(title, `${axes(top, axisUnit)}${body}`);
}

/** A histogram from precomputed equal-width bins. */
export function histogramChart(title: string, h: { lower: number; width: number; counts: readonly number[] }, unit: string): string {
  return barChart(
    title,
    h.counts.map((c, i) => ({ label: i % 4 === 0 ? formatNumber(h.lower + i * h.width) : '', value: c })),
    ` laptops (${unit})`,
  );
}

/** Round y-axis ticks: a top of 1, 2, 2.5 or 5 × 10^k above the largest value, split in 4. */
export function niceTop(maxValue: number): { readonly max: number; readonly step: number } {
  if (!(maxValue > 0)) return { max: 1, step: 0.25 };
  const raw = maxValue / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st * 4 >= maxValue * (1 - 1e-12)) ?? 10 * mag;
  return { max: step * 4, step };
}

const SI = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1e-3, ''],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
] as const;

/**
 * An axis tick short enough for the axis margin: at most 3 significant
 * digits and an SI prefix (18,649,273 → 18.6M, 0.00000009974 → 99.7n; 0.25 stays), so a
 * label never runs past the chart's left edge.
 */
export function formatTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const a = Math.abs(v);
  const [scale, prefix] = SI.find(([f]) => a >= f * (1 - 1e-9)) ?? SI[SI.length - 1]!;
  const n = scale < 1 && scale >= 1e-3 ? v : v / scale;
  return `${Number(n.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 })}${prefix}`;
}

function axes(top: { readonly max: number; readonly step: number }, unit?: string): string {
  const gy = [0, 1, 2, 3, 4].map((k) => {
    const v = top.step * k;
    const y = H - PAD.b - ((H - PAD.t - PAD.b) * v) / top.max;
    return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eef"/><text x="${PAD.l - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(formatTick(v))}</text>`;
  });
  return gy.join('') + (unit ? `<text x="${PAD.l - 6}" y="${PAD.t - 8}" text-anchor="end">${esc(unit)}</text>` : '');
}

function svg(title: string, body: string): string {
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="100%"><text class="chart-title" x="${PAD.l}" y="${H - 2}">${esc(title)}</text>${body}</svg>`;
}
