/**
 * Line charts written as SVG text by hand: panels stacked vertically, each with its own y axis
 * (linear or log), time in seconds on x, one polyline per series and a legend.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  /** [seconds, value] */
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly series: readonly Series[];
}

const WIDTH = 960;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 70, right: 20, top: 34, bottom: 36 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  return (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude;
}

function formatNumber(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  if (value >= 10) return String(Math.round(value));
  return String(Math.round(value * 10) / 10);
}

function renderPanel(panel: Panel, top: number): string {
  const plotLeft = MARGIN.left;
  const plotTop = top + MARGIN.top;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const points = panel.series.flatMap((series) => series.points).filter(([, y]) => Number.isFinite(y));
  const parts: string[] = [
    `<text x="${plotLeft}" y="${top + 20}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  if (points.length === 0) {
    parts.push(`<text x="${plotLeft}" y="${plotTop + 20}" font-size="12">no data</text>`);
    return parts.join('\n');
  }
  const xMax = Math.max(1, ...points.map(([x]) => x));
  const logY = panel.logY === true;
  const positive = points.map(([, y]) => y).filter((y) => y > 0);
  const yMinData = logY ? Math.max(0.1, Math.min(...positive)) : 0;
  const yMaxData = Math.max(...points.map(([, y]) => y), logY ? yMinData * 10 : 1);
  const yMin = logY ? 10 ** Math.floor(Math.log10(yMinData)) : 0;
  const yMax = logY ? 10 ** Math.ceil(Math.log10(yMaxData)) : yMaxData * 1.05;
  const xOf = (x: number): number => plotLeft + (x / xMax) * plotWidth;
  const yOf = (y: number): number => {
    const fraction = logY ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : (y - yMin) / (yMax - yMin);
    return plotTop + plotHeight - fraction * plotHeight;
  };

  parts.push(`<rect x="${plotLeft}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  const yTicks: number[] = [];
  if (logY) {
    for (let value = yMin; value <= yMax * 1.0001; value *= 10) yTicks.push(value);
  } else {
    const step = niceStep(yMax - yMin, 5);
    for (let value = 0; value <= yMax; value += step) yTicks.push(value);
  }
  for (const tick of yTicks) {
    const y = yOf(tick).toFixed(1);
    parts.push(`<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${plotLeft - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${formatNumber(tick)}</text>`);
  }
  const xStep = niceStep(xMax, 10);
  for (let tick = 0; tick <= xMax; tick += xStep) {
    const x = xOf(tick).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotTop + plotHeight}" stroke="#f3f3f3"/>`);
    parts.push(`<text x="${x}" y="${plotTop + plotHeight + 16}" font-size="11" text-anchor="middle">${formatNumber(tick)}</text>`);
  }
  parts.push(
    `<text x="${plotLeft + plotWidth / 2}" y="${plotTop + plotHeight + 32}" font-size="11" text-anchor="middle">seconds since the phase started</text>`,
    `<text x="16" y="${plotTop + plotHeight / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 16 ${plotTop + plotHeight / 2})">${escapeXml(panel.yLabel)}${logY ? ' (log)' : ''}</text>`,
  );
  panel.series.forEach((series, index) => {
    const path = series.points
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y]) => `${xOf(x).toFixed(1)},${yOf(y).toFixed(1)}`)
      .join(' ');
    if (path !== '') {
      parts.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="1.5"${series.dashed === true ? ' stroke-dasharray="5 3"' : ''} points="${path}"/>`,
      );
    }
    const legendX = plotLeft + 10 + index * 185;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="${plotTop + 12}" y2="${plotTop + 12}" stroke="${series.color}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${legendX + 22}" y="${plotTop + 12}" font-size="11" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  return parts.join('\n');
}

export function renderChart(title: string, panels: readonly Panel[]): string {
  const height = 40 + panels.length * PANEL_HEIGHT;
  const body = panels.map((panel, index) => renderPanel(panel, 40 + index * PANEL_HEIGHT)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
