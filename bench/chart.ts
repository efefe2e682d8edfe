/** A dependency-free SVG line chart: silver+gold wall time against snapshot size (log x), one line per scale. */
export interface Series {
  label: string;
  points: { x: number; y: number }[];
}

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const width = 720, height = 420, left = 70, right = 160, top = 40, bottom = 60;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  const y1 = Math.max(...ys) * 1.1 || 1;
  const px = (x: number) => left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (width - left - right);
  const py = (y: number) => height - bottom - (y / y1) * (height - top - bottom);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="black"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 15}" text-anchor="middle">${xLabel}</text>`,
    `<text x="18" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + height - bottom) / 2})">${yLabel}</text>`,
  ];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<text x="${px(x)}" y="${height - bottom + 18}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const y = (y1 / 5) * i;
    parts.push(`<line x1="${left - 4}" y1="${py(y)}" x2="${width - right}" y2="${py(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 8}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(1)}</text>`);
  }
  series.forEach((s, i) => {
    const color = colors[i % colors.length];
    const path = s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
    for (const p of s.points) parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="${color}"/>`);
    parts.push(`<text x="${width - right + 12}" y="${top + 20 + i * 18}" fill="${color}">${s.label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
