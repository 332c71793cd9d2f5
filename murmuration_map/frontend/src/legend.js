import { cssColor, el, formatNumber } from './dom.js';

// legend = {kind: "category", title, items: [{name, color, count}], other: {categories, count} | null}
//        | {kind: "value", title, min, max, ramp: [rgba...]}
export function renderLegend(container, legend) {
  container.replaceChildren();
  container.hidden = !legend;
  if (!legend) return;
  const title = el('button', 'mm-legend-title', container, `${legend.title || 'Legend'} ▾`);
  title.type = 'button';
  title.title = 'Show or hide the legend';
  title.addEventListener('click', () => {
    const folded = container.classList.toggle('mm-folded');
    title.textContent = `${legend.title || 'Legend'} ${folded ? '▸' : '▾'}`;
  });
  if (legend.kind === 'value') {
    const stops = legend.ramp.map((color, i) => `${cssColor(color)} ${(100 * i) / (legend.ramp.length - 1)}%`);
    const bar = el('div', 'mm-ramp', container);
    bar.style.background = `linear-gradient(to right, ${stops.join(', ')})`;
    const ticks = el('div', 'mm-ramp-ticks', container);
    el('span', '', ticks, formatNumber(legend.min));
    el('span', '', ticks, formatNumber(legend.max));
    return;
  }
  const list = el('div', 'mm-legend-items', container);
  for (const item of legend.items) legendRow(list, item.color, item.name, item.count);
  if (legend.other) {
    const { categories, count, color } = legend.other;
    legendRow(list, color, `other (${categories} more categories)`, count, 'mm-legend-other');
  }
}

function legendRow(list, color, name, count, extraClass = '') {
  const row = el('div', `mm-legend-row ${extraClass}`.trim(), list);
  const swatch = el('span', 'mm-swatch', row);
  swatch.style.background = cssColor(color);
  const label = el('span', 'mm-legend-name', row, name);
  label.title = name;
  el('span', 'mm-legend-count', row, count.toLocaleString('en'));
}
