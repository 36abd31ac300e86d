// The benchmark chart: sign-ins per second and CPU per sign-in against concurrency, both
// connectors, log scales. Plain SVG, no dependencies.
const colors = { official: '#8b949e', ours: '#1a7f37' };

const panel = ({ x, title, unit, series, levels }) => {
  const width = 360;
  const height = 220;
  const left = 56;
  const top = 36;
  const plotW = width - left - 20;
  const plotH = height - top - 40;
  const all = Object.values(series).flat().filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const y = (v) => top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const xAt = (i) => left + (levels.length === 1 ? plotW / 2 : (i / (levels.length - 1)) * plotW);
  const grid = [];
  for (let v = lo; v <= hi; v *= 10) {
    grid.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#d0d7de" stroke-width="1"/>`);
    grid.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#57606a">${v >= 1000 ? `${v / 1000}k` : v}</text>`);
  }
  const ticks = levels.map((c, i) => `<text x="${xAt(i)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11" fill="#57606a">${c}</text>`);
  const lines = Object.entries(series).map(([name, values]) => {
    const points = values.map((v, i) => `${xAt(i)},${y(v)}`).join(' ');
    const dots = values.map((v, i) => `<circle cx="${xAt(i)}" cy="${y(v)}" r="3.5" fill="${colors[name]}"/>`).join('');
    return `<polyline points="${points}" fill="none" stroke="${colors[name]}" stroke-width="2.5"/>${dots}`;
  });
  return `<g transform="translate(${x},0)">
<text x="${left}" y="22" font-size="14" font-weight="600" fill="#1f2328">${title}</text>
${grid.join('\n')}
${ticks.join('\n')}
<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#57606a">concurrency (${unit})</text>
${lines.join('\n')}
</g>`;
};

export const renderChart = (report) => {
  const levels = report.ours.concurrency.map((c) => c.concurrency);
  const pick = (side, key) => report[side].concurrency.map((c) => c[key].median);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="760" height="262" viewBox="0 0 760 262" font-family="system-ui, sans-serif">
<rect width="760" height="262" fill="#ffffff"/>
${panel({ x: 0, title: 'Sign-ins per second (higher is better)', unit: 'y: log scale', series: { official: pick('official', 'perSecond'), ours: pick('ours', 'perSecond') }, levels })}
${panel({ x: 380, title: 'CPU µs per sign-in (lower is better)', unit: 'y: log scale', series: { official: pick('official', 'cpuMicrosPerSignIn'), ours: pick('ours', 'cpuMicrosPerSignIn') }, levels })}
<g font-size="12"><rect x="180" y="240" width="12" height="4" fill="${colors.official}"/><text x="198" y="246">@logto/connector-wechat-web ${report.official.version}</text>
<rect x="470" y="240" width="12" height="4" fill="${colors.ours}"/><text x="488" y="246">connector-wechat-web-rs (ours)</text></g>
</svg>
`;
};
