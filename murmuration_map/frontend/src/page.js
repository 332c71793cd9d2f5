// The host of the map's page, in two forms (build/page.js):
// - the one HTML file (murmuration_map/static_page.py): the payload's small parts as JSON (#mm-data), its big
//   parts as packed binary columns, gzip-compressed and base64-encoded in script elements (#mm-points,
//   #mm-texts, #mm-neighbours), read from data: URLs, so no request leaves the page;
// - a published folder (murmuration_map/published.py): the same parts cut in chunk files fetched from the
//   server that serves the folder: the points in order (the first paint while the rest stream in), texts and
//   neighbours a chunk at a time when a point is hovered or clicked.
import { el } from './dom.js';
import { MapView } from './map_view.js';
import { pointTables, unpack } from './packed.js';

const SCORE_SCALE = 32767;
const REDRAW_EVERY = 4;       // while a published map's points stream in, draw again after this many chunks

async function inflate(response) {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}`);
  const inflated = response.body.pipeThrough(new DecompressionStream('gzip'));
  return unpack(await new Response(inflated).arrayBuffer());
}

async function readInline(name) {
  const node = document.getElementById(`mm-${name}`);
  return inflate(await fetch(`data:application/octet-stream;base64,${node.textContent.trim()}`));
}

async function readFile(name) {
  return inflate(await fetch(name));
}

// Rows cut in chunks of `size` (one chunk in the one file), each read once, when a row of it is first asked for.
class Chunks {
  constructor(names, size, read, onLoad) {
    Object.assign(this, { names, size, read, onLoad, pending: new Map(), loaded: new Map() });
  }

  chunkOf(row) { return Math.floor(row / this.size); }

  load(row) {
    const chunk = this.chunkOf(row);
    if (!this.pending.has(chunk)) {
      this.pending.set(chunk, this.read(this.names[chunk]).then((part) => {
        this.loaded.set(chunk, part);
        this.onLoad?.();
        return part;
      }, (error) => {
        this.pending.delete(chunk);   // asked for again, it is fetched again
        throw error;
      }));
    }
    return this.pending.get(chunk);
  }

  // [the chunk's columns, the row's place in it], or null while the chunk is on its way
  at(row) {
    const part = this.loaded.get(this.chunkOf(row));
    return part ? [part, row - this.chunkOf(row) * this.size] : null;
  }

  async loadAll(progress) {
    for (let chunk = 0; chunk < this.names.length; chunk++) {
      await this.load(chunk * this.size);
      progress?.(chunk + 1, this.names.length);
    }
  }
}

// The parts of the one file or of a published folder, as Chunks (null when the map has none).
function partsOf(meta, onText) {
  const published = meta.published;
  if (!published) {
    const inline = (name) => (document.getElementById(`mm-${name}`) ? new Chunks([name], Number.MAX_SAFE_INTEGER, readInline) : null);
    return { points: [readInline('points')], texts: inline('texts'), neighbours: inline('neighbours'), inline: true };
  }
  const chunks = (names) => (names ? new Chunks(names, published.text_chunk, readFile) : null);
  const texts = chunks(published.texts);
  if (texts) texts.onLoad = onText;
  return { points: published.points.map((name) => readFile(name)), texts, neighbours: chunks(published.neighbours) };
}

function concatenated(chunks) {
  const out = {};
  for (const name of Object.keys(chunks[0])) {
    const total = chunks.reduce((sum, chunk) => sum + chunk[name].length, 0);
    out[name] = new chunks[0][name].constructor(total);
    let offset = 0;
    for (const chunk of chunks) {
      out[name].set(chunk[name], offset);
      offset += chunk[name].length;
    }
  }
  return out;
}

class StaticMap {
  constructor(app, meta) {
    this.meta = meta;
    this.data = { ...meta, points: null, style: null, filter: null, texts: null };
    this.query = '';
    this.category = -1;
    this.decoder = new TextDecoder();
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
    picker.disabled = true;
    picker.setAttribute('aria-label', 'Show one category');
    el('option', '', picker, `Every ${legend.title || 'category'}`).value = '-1';
    legend.items.forEach((item, code) => { el('option', '', picker, item.name).value = String(code); });
    if (legend.other) el('option', '', picker, 'other').value = String(legend.items.length);
    picker.addEventListener('change', () => { this.category = Number(picker.value); this.refilter(); });
    return picker;
  }

  async load() {
    this.parts = partsOf(this.meta, () => this.textArrived());
    const received = [];
    for (const [number, pending] of this.parts.points.entries()) {
      received.push(await pending);
      const last = number === this.parts.points.length - 1;
      if (number === 0 || last || number % REDRAW_EVERY === 0) this.showPoints(concatenated(received), last);
    }
    const texts = this.parts.texts;
    if (texts) {
      if (this.parts.inline) await texts.load(0);
      this.texts = { get: (i) => this.textOf(i) };
      this.data = { ...this.data, texts: { text: this.texts }, texts_key: 'page-texts' };
      this.search.disabled = false;
      this.search.placeholder = 'Find documents containing…';
      this.draw();
      if (this.focused !== undefined) this.focus(this.focused);   // clicked while the texts were on their way
    }
    this.showSummary();
  }

  showPoints(points, complete) {
    const tables = pointTables(points);
    this.rows = points.rows || null;
    this.codes = tables.style.z;
    this.baseFilter = tables.filter?.bits || null;
    this.count = points.x.length;
    this.streaming = !complete;
    // each redraw of more points brings new tables: new keys, or the map keeps the first chunk's colours
    const keyed = (part) => (tables[part] ? `${this.meta[`${part}_key`]}-${this.count}` : 'none');
    // the summary above the map says what matches as the visitor filters, so the map's own note stays empty
    this.data = { ...this.data, ...tables, points_key: keyed('points'), style_key: keyed('style'),
      filter_key: keyed('filter'), height: this.mapHeight(), note: '' };
    if (this.baseFilter) this.matches = countBits(this.baseFilter, this.count);
    if (complete && this.categories) this.categories.disabled = false;   // a filter needs every point
    this.showSummary();
    this.draw();
  }

  // A text, or an ellipsis while its chunk is on its way (then the tooltip and panel are drawn again).
  textOf(i) {
    const found = this.parts.texts.at(i);
    if (!found) {
      this.parts.texts.load(i).catch(() => {});   // a chunk that failed stays '…' until asked for again
      return '…';
    }
    const [{ offsets, bytes }, at] = found;
    return this.decoder.decode(bytes.subarray(offsets[at], offsets[at + 1]));
  }

  textArrived() {
    this.draw();
    if (this.focused !== undefined) this.focus(this.focused);
  }

  mapHeight() {
    const used = this.mapHolder.getBoundingClientRect().top + 80;
    return Math.max(360, Math.round(window.innerHeight - used));
  }

  draw() { this.view.update(this.data); }

  // The filter the file came with, the category picked and the words typed, as one bit a point.
  async refilter() {
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && this.parts.texts && !this.parts.inline && !this.allTexts) {
      await this.parts.texts.loadAll((done, total) => {
        this.summary.textContent = `Loading the texts to search them: ${done} of ${total} parts`;
      });
      this.allTexts = true;
    }
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
      this.data = { ...this.data, filter: { bits }, filter_key: `filter-${this.count}-${this.category}-${words.join(' ')}` };
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
    const parts = [`${this.count.toLocaleString('en')} points${this.streaming ? ' so far' : ''}`];
    if (this.data.filter) parts.push(`${(this.matches ?? this.count).toLocaleString('en')} match the filter`);
    if (this.meta.left_out) parts.push(`${this.meta.left_out.toLocaleString('en')} left out (missing or infinite coordinates)`);
    if (this.texts) parts.push(`texts cut to ${this.meta.text_chars} characters`);
    this.summary.textContent = parts.join(' · ');
  }

  onState(name, value) {
    if (name === 'clicked') this.focus(value);
  }

  // A clicked point: ring its neighbours on the map and list them beside it.
  async focus(index) {
    this.focused = index;
    const k = this.meta.k || 0;
    const found = [];
    const table = this.parts.neighbours;
    if (table && index >= 0 && index < this.count) {
      await table.load(index);
      const [{ indices, scores }, at] = table.at(index);
      for (let j = 0; j < k; j++) {
        if (indices[at * k + j] >= 0) found.push([indices[at * k + j], scores[at * k + j] / SCORE_SCALE]);
      }
    }
    if (this.focused !== index) return;   // another click meanwhile
    this.data = { ...this.data, highlight: index, neighbours: found.map(([other]) => other) };
    this.draw();
    this.listNeighbours(index, found);
  }

  listNeighbours(index, found) {
    this.panel.replaceChildren();
    el('h2', 'mm-page-heading', this.panel, `Document ${this.rowOf(index).toLocaleString('en')}`);
    el('p', 'mm-page-text', this.panel, this.texts ? this.texts.get(index) : '');
    if (!this.parts.neighbours) {
      el('p', 'mm-page-hint', this.panel, 'This map holds no neighbours.');
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
