// The one-file HTML export's host (build/page.js, inlined in the file by murmuration_map/static_page.py).
// The file holds the payload's small parts as JSON (#mm-data) and its big parts as packed binary columns,
// gzip-compressed and base64-encoded (#mm-points, #mm-texts, #mm-neighbours). Points are unpacked and drawn
// first; texts and neighbours follow. No request leaves the page: the parts are read from data: URLs.
import { el } from './dom.js';
import { MapView } from './map_view.js';
import { pointTables, textColumn, unpack } from './packed.js';

const SCORE_SCALE = 32767;

async function readPart(name) {
  const node = document.getElementById(`mm-${name}`);
  if (!node) return null;
  const response = await fetch(`data:application/octet-stream;base64,${node.textContent.trim()}`);
  const inflated = response.body.pipeThrough(new DecompressionStream('gzip'));
  return unpack(await new Response(inflated).arrayBuffer());
}

class StaticMap {
  constructor(app, meta) {
    this.meta = meta;
    this.data = { ...meta, points: null, style: null, filter: null, texts: null };
    this.query = '';
    this.category = -1;
    this.buildDom(app);
    this.view = new MapView(this.mapHolder);
    this.view.send = { state: (name, value) => this.onState(name, value), trigger: () => {} };
  }

  buildDom(app) {
    const header = el('header', 'mm-page-header', app);
    el('h1', 'mm-page-title', header, this.meta.page_title);
    this.summary = el('p', 'mm-page-summary', header, 'Unpacking the points…');
    const controls = el('div', 'mm-page-controls', header);
    this.search = el('input', 'mm-page-search', controls);
    Object.assign(this.search, { type: 'search', placeholder: 'Find documents containing… (texts loading)',
      disabled: true });
    this.search.setAttribute('aria-label', 'Find documents containing these words');
    this.search.addEventListener('input', () => { this.query = this.search.value; this.refilter(); });
    this.categories = this.categoryPicker(controls);
    const body = el('div', 'mm-page-body', app);
    this.mapHolder = el('div', 'mm-page-map', body);
    this.panel = el('aside', 'mm-page-panel', body);
    el('p', 'mm-page-hint', this.panel, 'Click a point to read it and list its nearest neighbours.');
  }

  categoryPicker(controls) {
    const legend = this.meta.legend;
    if (!legend || legend.kind !== 'category') return null;
    const picker = el('select', 'mm-page-category', controls);
    picker.setAttribute('aria-label', 'Show one category');
    el('option', '', picker, `Every ${legend.title || 'category'}`).value = '-1';
    legend.items.forEach((item, code) => { el('option', '', picker, item.name).value = String(code); });
    if (legend.other) el('option', '', picker, 'other').value = String(legend.items.length);
    picker.addEventListener('change', () => { this.category = Number(picker.value); this.refilter(); });
    return picker;
  }

  async load() {
    const points = await readPart('points');
    const tables = pointTables(points);
    this.rows = points.rows || null;
    this.codes = tables.style.z;
    this.baseFilter = tables.filter?.bits || null;
    this.count = points.x.length;
    // the summary above the map says what matches as the visitor filters, so the map's own note stays empty
    this.data = { ...this.data, ...tables, height: this.mapHeight(), note: '' };
    if (this.baseFilter) this.matches = countBits(this.baseFilter, this.count);
    this.showSummary();
    this.draw();
    const texts = await readPart('texts');
    if (texts) {
      this.texts = textColumn(texts);
      this.data = { ...this.data, texts: { text: this.texts }, texts_key: 'file-texts' };
      this.search.disabled = false;
      this.search.placeholder = 'Find documents containing…';
      this.draw();
    }
    this.neighbours = await readPart('neighbours');
    this.showSummary();
  }

  mapHeight() {
    const used = this.mapHolder.getBoundingClientRect().top + 80;
    return Math.max(360, Math.round(window.innerHeight - used));
  }

  draw() { this.view.update(this.data); }

  // The filter the file came with, the category picked and the words typed, as one bit a point.
  refilter() {
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length && this.category < 0 && !this.baseFilter) {
      this.data = { ...this.data, filter: null, filter_key: 'none' };
    } else {
      const bits = new Uint8Array(Math.ceil(this.count / 8));
      let matches = 0;
      for (let i = 0; i < this.count; i++) {
        if (this.baseFilter && !((this.baseFilter[i >> 3] >> (i & 7)) & 1)) continue;
        if (this.category >= 0 && this.codes[i] !== this.category) continue;
        if (words.length && !this.contains(i, words)) continue;
        bits[i >> 3] |= 1 << (i & 7);
        matches++;
      }
      this.matches = matches;
      this.data = { ...this.data, filter: { bits }, filter_key: `filter-${this.category}-${words.join(' ')}` };
    }
    this.draw();
    this.showSummary();
  }

  contains(i, words) {
    if (!this.texts) return true;
    const text = this.texts.get(i).toLowerCase();
    return words.every((word) => text.includes(word));
  }

  showSummary() {
    const parts = [`${this.count.toLocaleString('en')} points`];
    if (this.data.filter) parts.push(`${(this.matches ?? this.count).toLocaleString('en')} match the filter`);
    if (this.meta.left_out) parts.push(`${this.meta.left_out.toLocaleString('en')} left out (missing or infinite coordinates)`);
    if (this.texts) parts.push(`texts cut to ${this.meta.text_chars} characters`);
    this.summary.textContent = parts.join(' · ');
  }

  onState(name, value) {
    if (name === 'clicked') this.focus(value);
  }

  // A clicked point: ring its neighbours on the map and list them beside it.
  focus(index) {
    const k = this.meta.k || 0;
    const found = [];
    if (this.neighbours && index >= 0 && index < this.count) {
      for (let j = 0; j < k; j++) {
        const other = this.neighbours.indices[index * k + j];
        if (other >= 0) found.push([other, this.neighbours.scores[index * k + j] / SCORE_SCALE]);
      }
    }
    this.data = { ...this.data, highlight: index, neighbours: found.map(([other]) => other) };
    this.draw();
    this.listNeighbours(index, found);
  }

  listNeighbours(index, found) {
    this.panel.replaceChildren();
    el('h2', 'mm-page-heading', this.panel, `Document ${this.rowOf(index).toLocaleString('en')}`);
    el('p', 'mm-page-text', this.panel, this.texts ? this.texts.get(index) : '');
    if (!this.neighbours) {
      el('p', 'mm-page-hint', this.panel, 'This file holds no neighbours.');
      return;
    }
    el('h3', 'mm-page-heading', this.panel, `Its ${found.length} nearest neighbours`);
    const list = el('ol', 'mm-page-neighbours', this.panel);
    list.dataset.testid = 'neighbour-list';
    for (const [other, cosine] of found) {
      const item = el('li', 'mm-page-neighbour', list);
      item.dataset.row = String(this.rowOf(other));
      el('span', 'mm-page-cosine', item, cosine.toFixed(3));
      el('span', 'mm-page-neighbour-text', item, this.texts ? this.texts.get(other) : `document ${this.rowOf(other)}`);
      item.addEventListener('click', () => this.focus(other));
    }
  }

  rowOf(index) { return this.rows ? this.rows[index] : index; }
}

function countBits(bits, count) {
  let n = 0;
  for (let i = 0; i < count; i++) n += (bits[i >> 3] >> (i & 7)) & 1;
  return n;
}

async function main() {
  const meta = JSON.parse(document.getElementById('mm-data').textContent);
  const page = new StaticMap(document.getElementById('mm-app'), meta);
  try {
    await page.load();
  } catch (error) {
    page.summary.textContent = `This map could not be read: ${error.message}`;
  }
}

main();
