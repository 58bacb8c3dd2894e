// Bar charts drawn as inline SVG: no network, no library, readable in print and on a dim screen.

const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f5a2c', '#c27c0e', '#5b6b8c'];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Splits a label into lines of at most `max` characters, at spaces (a word longer stays whole). */
export function wrapLabel(label, max) {
  const lines = [];
  for (const word of String(label).split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${word}`.length <= max) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length ? lines : [''];
}

/** A text of one or more lines (tspans), vertically centred on `y`. */
function multiline(lines, { x, y, lineHeight = 15, ...attrs }) {
  const node = svg('text', { x, y: y - ((lines.length - 1) * lineHeight) / 2, ...attrs });
  lines.forEach((line, i) => node.append(svg('tspan', { x, dy: i ? lineHeight : 0 }, line)));
  return node;
}

/** Horizontal bars: rows = [{ label, value }]. Long labels wrap onto two or three lines. */
export function barChart(rows, { title, width = 620, format = String } = {}) {
  const labelWidth = 250;
  const perLine = 30; // characters of 13 px text that fit in labelWidth
  const wrapped = rows.map((row) => wrapLabel(row.label, perLine));
  const bar = Math.max(26, ...wrapped.map((lines) => lines.length * 15 + 4));
  const gap = 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * (bar + gap) + gap;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' });
  rows.forEach((row, i) => {
    const y = gap + i * (bar + gap);
    const length = ((width - labelWidth - 60) * row.value) / max;
    root.append(
      multiline(wrapped[i], { x: labelWidth - 8, y: y + bar / 2 + 4.5, 'text-anchor': 'end', class: 'label' }),
      svg('rect', { x: labelWidth, y, width: Math.max(length, row.value ? 2 : 0), height: bar, fill: COLORS[0], rx: 3 }),
      svg('text', { x: labelWidth + length + 6, y: y + bar / 2 + 4.5, class: 'value' }, format(row.value)),
    );
  });
  return root;
}

/** Vertical grouped bars: groups = [{ label, values: [n, …] }], series = [name, …]. */
export function groupedBars(groups, series, { title, width = 620, height = 260 } = {}) {
  const top = 44;
  const bottom = 30;
  const plot = height - top - bottom;
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const slot = width / groups.length;
  const barWidth = Math.min(28, (slot - 12) / series.length);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' });
  series.forEach((name, s) => {
    root.append(
      svg('rect', { x: 10 + s * 150, y: 6, width: 14, height: 14, fill: COLORS[s % COLORS.length] }),
      svg('text', { x: 30 + s * 150, y: 18, class: 'label-start' }, name),
    );
  });
  groups.forEach((group, g) => {
    const start = g * slot + (slot - barWidth * series.length) / 2;
    group.values.forEach((value, s) => {
      const h = (plot * value) / max;
      const x = start + s * barWidth;
      root.append(svg('rect', { x, y: top + plot - h, width: barWidth - 2, height: h, fill: COLORS[s % COLORS.length] }));
      if (value) root.append(svg('text', { x: x + barWidth / 2 - 1, y: top + plot - h - 4, 'text-anchor': 'middle', class: 'value' }, String(value)));
    });
    root.append(svg('text', { x: g * slot + slot / 2, y: height - 12, 'text-anchor': 'middle', class: 'label' }, group.label));
  });
  return root;
}
