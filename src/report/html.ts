/**
 * One self-contained HTML page (inline CSS and SVG, no scripts or external
 * assets: it opens offline and in mail clients). It presents figures computed
 * elsewhere; the only arithmetic here is scaling to pixels.
 */

export interface ReportSection {
  readonly title: string;
  readonly html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

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

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], cellClass?: (row: number, col: number) => string | undefined): string {
  const cell = (v: string | number) => esc(typeof v === 'number' ? formatNumber(v) : v);
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr>${r.map((v, j) => { const c = cellClass?.(i, j); return `<td${c ? ` class="${c}"` : ''}>${cell(v)}</td>`; }).join('')}</tr>`)
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

/** Lines over a shared x axis (labels), one per series. */
export function lineChart(title: string, labels: readonly string[], series: readonly { name: string; values: readonly number[] }[]): string {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const n = Math.max(1, labels.length - 1);
  const x = (i: number) => PAD.l + ((W - PAD.l - PAD.r) * i) / n;
  const y = (v: number) => H - PAD.b - ((H - PAD.t - PAD.b) * v) / max;
  const lines = series
    .map((s, k) => `<polyline data-series="${esc(s.name)}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const step = Math.max(1, Math.ceil(labels.length / 12));
  const ticks = labels.map((l, i) => (i % step === 0 ? `<text x="${x(i)}" y="${H - 14}" text-anchor="middle">${esc(l)}</text>` : '')).join('');
  const legend = series.map((s, k) => `<text x="${PAD.l + 10 + k * 260}" y="14" style="fill:${COLOURS[k % COLOURS.length]}">■ ${esc(s.name)}</text>`).join('');
  return svg(title, `${axes(max)}${lines}${ticks}${legend}`);
}

/** Bars for named categories. */
export function barChart(title: string, bars: readonly { label: string; value: number }[], unit = ''): string {
  const max = Math.max(1e-12, ...bars.map((b) => b.value));
  const bw = (W - PAD.l - PAD.r) / Math.max(1, bars.length);
  const body = bars
    .map((b, i) => {
      const h = ((H - PAD.t - PAD.b) * b.value) / max;
      const x = PAD.l + i * bw + bw * 0.15;
      return `<rect x="${x.toFixed(1)}" y="${(H - PAD.b - h).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[0]}"><title>${esc(b.label)}: ${formatNumber(b.value)}${unit}</title></rect>` +
        `<text x="${(x + bw * 0.35).toFixed(1)}" y="${H - 14}" text-anchor="middle">${esc(b.label)}</text>`;
    })
    .join('');
  return svg(title, `${axes(max)}${body}`);
}

/** A histogram from precomputed equal-width bins. */
export function histogramChart(title: string, h: { lower: number; width: number; counts: readonly number[] }, unit: string): string {
  return barChart(title, h.counts.map((c, i) => ({ label: i % 4 === 0 ? formatNumber(h.lower + i * h.width) : '', value: c })), ` laptops (${unit})`);
}

function axes(max: number): string {
  const gy = [0, 0.5, 1].map((f) => {
    const y = H - PAD.b - (H - PAD.t - PAD.b) * f;
    return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" stroke="#eef"/><text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${formatNumber(max >= 100 ? Math.round(max * f) : max * f)}</text>`;
  });
  return gy.join('');
}

function svg(title: string, body: string): string {
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="100%"><text class="chart-title" x="${PAD.l}" y="${H - 2}">${esc(title)}</text>${body}</svg>`;
}
