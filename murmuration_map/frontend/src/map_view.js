import createScatterplot from 'regl-scatterplot';
import { legibleLegend, legibleOn, seenOn } from './colours.js';
import { densityGrid, isolines } from './contours.js';
import { declutter } from './declutter.js';
import { el, formatNumber, svgEl } from './dom.js';
import { renderLegend } from './legend.js';
import { cellReader, columnOf, rowCount } from './tables.js';

const HOVER_DWELL_MS = 250;
const LABEL_ROOM = 70_000;
const CONTOUR_FADE = 0.3;    // the points' opacity scale while the density contours are shown   // square pixels of map per name: about 7 names on a 1000 x 500 map
// The big parts of the payload, each with its key: sent once, kept here across reruns.
const PARTS = ['points', 'style', 'filter', 'texts'];
// While some points are selected, the others keep 40 % of their opacity: faded, but the map keeps its shape.
const UNSELECTED_OPACITY_SCALE = 0.4;
// A selected point keeps its size and colour and gets an outline: its diameter grows by 2 * OUTLINE_WIDTH
// pixels, half of that a ring of the text colour, half a ring of its own colour (see showColours).
const OUTLINE_WIDTH = 2;

export class MapView {
  constructor(parentElement) {
    this.send = { state: () => {}, trigger: () => {} };
    this.held = Object.fromEntries(PARTS.map((part) => [part, { key: 'none', table: null }]));
    this.selectionKey = null;
    this.selection = [];
    this.count = 0;
    this.texts = null;
    this.textCache = new Map();
    this.lassoing = false;
    this.queue = Promise.resolve();
    this.buildDom(parentElement);
  }

  buildDom(parentElement) {
    const root = el('div', 'mm-root');
    root.setAttribute('data-testid', 'murmuration-map');
    root.dataset.ready = 'false';
    root.dataset.pointsDrawn = '0';
    parentElement.appendChild(root);
    this.parentElement = parentElement;
    this.root = root;

    const toolbar = el('div', 'mm-toolbar', root);
    this.modeButtons = {};
    for (const [mode, label, hint] of [
      ['pan', 'Pan', 'Drag to pan, scroll to zoom, click a point to see its neighbours'],
      ['lasso', 'Lasso', 'Draw around points to select them (or hold Shift and drag in Pan mode)'],
      ['box', 'Box', 'Drag a rectangle to select points'],
    ]) {
      const button = el('button', 'mm-button', toolbar, label);
      button.type = 'button';
      button.title = hint;
      button.dataset.mode = mode;
      button.addEventListener('click', () => this.setMode(mode));
      this.modeButtons[mode] = button;
    }
    const reset = el('button', 'mm-button', toolbar, 'Reset view');
    reset.type = 'button';
    reset.addEventListener('click', () => this.plot?.reset());
    this.contourButton = el('button', 'mm-button', toolbar, 'Contours');
    this.contourButton.type = 'button';
    this.contourButton.title = 'Lines of equal density of the points under them (the points fade)';
    this.contourButton.addEventListener('click', () => this.toggleContours());
    this.clearButton = el('button', 'mm-button', toolbar, 'Clear selection');
    this.clearButton.type = 'button';
    this.clearButton.addEventListener('click', () => this.plot?.deselect());
    this.status = el('span', 'mm-status', toolbar);

    // The legend sits beside the canvas (below it in a narrow column), never over a point.
    const body = el('div', 'mm-body', root);
    this.stage = el('div', 'mm-stage', body);
    this.contourLayer = svgEl('svg', this.stage, { class: 'mm-contours' });   // under the points' canvas
    this.contourGroup = svgEl('g', this.contourLayer, {});
    this.root.dataset.contours = 'off';
    this.canvas = el('canvas', 'mm-canvas', this.stage);
    this.rings = svgEl('svg', this.stage, { class: 'mm-rings' });
    this.labels = el('div', 'mm-labels', this.stage);
    this.legend = el('div', 'mm-legend', body);
    this.tooltip = el('div', 'mm-tooltip', this.stage);
    this.tooltip.hidden = true;
    this.note = el('div', 'mm-note', root);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.stage);
  }

  // The same canvas (and its WebGL context, points and camera) under a new parent element.
  moveTo(parentElement) {
    parentElement.appendChild(this.root);
    this.parentElement = parentElement;
  }

  update(data) {
    // Reruns can arrive while a large draw is still running: apply them in order.
    this.queue = this.queue.then(() => this.apply(data)).catch((error) => {
      this.note.textContent = `The map could not be drawn: ${error.message}`;
      throw error;
    });
  }

  async apply(data) {
    this.data = data;
    this.pendingClick = null;
    this.root.style.setProperty('--mm-height', `${data.height || 600}px`);
    if (!this.plot) this.createPlot();
    this.followTheme();
    // Python sends a big part only when this browser does not hold its key yet; a remounted view holds
    // nothing, so it asks once for everything (the next run sends it all).
    const missing = PARTS.filter((part) => !data[part] && data[`${part}_key`] !== this.held[part]?.key
      && data[`${part}_key`] !== 'none');
    if (missing.length) {
      this.root.dataset.ready = 'false';
      const signature = PARTS.map((part) => data[`${part}_key`]).join();
      if (this.askedFor !== signature) {
        this.askedFor = signature;
        this.send.trigger('missing', missing);
      }
      return;
    }
    const changed = PARTS.filter((part) => data[`${part}_key`] !== this.held[part]?.key);
    for (const part of changed) this.held[part] = { key: data[`${part}_key`], table: data[part] || null };
    if (changed.some((part) => part !== 'texts') || data.n_codes !== this.nCodes) await this.drawPoints(data);
    this.texts = cellReader(this.held.texts.table, 'text');
    this.textCache = new Map(Object.entries(data.hover_text || {}).map(([index, text]) => [Number(index), text]));
    if (this.hovered !== undefined && this.hovered !== null) this.showTooltip(this.hovered);
    this.applySelection(data);
    this.setClusters(data.clusters || []);
    this.drawOverlay();
    this.note.textContent = data.note || '';
    this.setMode(this.mode || 'pan');
  }

  createPlot() {
    const { width, height } = this.stageSize();
    this.plot = createScatterplot({
      canvas: this.canvas,
      width: Math.max(width, 1),
      height: Math.max(height, 1),
      opacityInactiveScale: UNSELECTED_OPACITY_SCALE,
      pointSizeSelected: 0,
      pointOutlineWidth: OUTLINE_WIDTH,
      lassoColor: [0.9, 0.35, 0.1, 1],
      lassoMinDelay: 5,
      lassoMinDist: 2,
      deselectOnDblClick: true,
      deselectOnEscape: true,
    });
    this.plot.subscribe('pointOver', (index) => this.onPointOver(index));
    this.plot.subscribe('pointOut', () => this.onPointOut());
    this.plot.subscribe('lassoStart', () => { this.lassoing = true; });
    this.plot.subscribe('select', ({ points }) => this.onSelect(points));
    this.plot.subscribe('deselect', () => this.onSelect([]));
    this.plot.subscribe('view', () => this.scheduleOverlay());
  }

  // The theme's background and text colours, from the CSS variables that Streamlit sets around the component
  // (checked on every render): the text colour marks the hovered point and outlines selected ones.
  followTheme() {
    const style = getComputedStyle(this.root);
    const theme = ['--st-background-color', '--st-text-color'].map((name) => style.getPropertyValue(name).trim());
    const signature = theme.join();
    if (signature === this.themeSignature) return;
    this.themeSignature = signature;
    const [background, text] = theme;
    this.background = toRgba(background || '#ffffff');
    this.ink = toRgba(text || '#1a1a1a');
    if (this.shownColours) this.showColours(...this.shownColours);
  }

  // The points' palette (codes from n_codes up are the faded copies) and the legend, both legible on the
  // current background (colours.js). Each state gets one colour per code (arrays of one length, or
  // regl-scatterplot falls back to one colour for every selected point): a hovered point takes the text colour;
  // a selected one the colour it had on the page before, made opaque (a grey point outside the filter stays the
  // same grey). regl-scatterplot draws a selected point as that colour over a disc of `backgroundColor` over a
  // slightly larger disc of that colour; the canvas stays transparent whatever `backgroundColor` is (the stage's
  // CSS paints the page's background), so with the text colour there, the middle ring is an outline that stands
  // out on a light or a dark page. (`backgroundColor` also styles the lasso's initiator and long-press
  // indicator, both left off here.)
  showColours(palette, legend) {
    this.shownColours = [palette, legend];
    const colours = palette.map((colour) => legibleOn(this.background, colour));
    this.plot.set({
      backgroundColor: this.ink,
      pointColor: colours,
      pointColorActive: colours.map((colour) => seenOn(this.background, colour)),
      pointColorHover: colours.map(() => this.ink),
      opacity: colours.map((colour) => colour[3] * (this.contoursOn ? CONTOUR_FADE : 1)),
    });
    renderLegend(this.legend, legibleLegend(legend, this.background));
  }

  async drawPoints(data) {
    const points = this.held.points.table;
    const style = this.held.style.table;
    const count = rowCount(points);
    const columns = { x: column(points, 'x'), y: column(points, 'y'), z: fadedCodes(column(style, 'z'),
      this.held.filter.table ? column(this.held.filter.table, 'bits') : null, data.n_codes) };
    const hasSizes = Boolean(columnOf(style, 'w'));
    if (hasSizes) columns.w = column(style, 'w');
    const sameCoordinates = data.points_key === this.drawnPointsKey && count === this.count;
    // regl-scatterplot takes a point's alpha from its opacity map, not from its colour: the colour code
    // indexes both, so codes from n_codes up (outside the filter) are drawn grey and faded.
    this.showColours(data.palette, data.legend);
    this.plot.set({
      opacityBy: 'valueA',
      pointSize: hasSizes ? data.size_steps : data.size,
      colorBy: 'valueA',
      sizeBy: hasSizes ? 'valueB' : null,
    });
    this.root.dataset.ready = 'false';
    performance.mark('mm-draw-start');
    const options = { zDataType: 'categorical', wDataType: 'continuous', preventFilterReset: true };
    if (sameCoordinates && this.spatialIndex) options.spatialIndex = this.spatialIndex;
    if (count > 0) {
      await this.plot.draw(columns, options);
      this.spatialIndex = this.plot.get('spatialIndex');
      this.drawFadedFirst(columns.z, data.n_codes);
    } else {
      this.plot.clear();
    }
    if (!sameCoordinates) {
      this.selectionKey = null;
      this.selection = [];
    }
    this.values = column(style, 'value', false);
    this.categories = column(style, 'category', false);
    this.count = count;
    this.nCodes = data.n_codes;
    this.pointColumns = columns;
    if (this.contoursOn) this.computeContours();
    this.drawnPointsKey = data.points_key;
    this.root.dataset.pointsDrawn = String(count);
    this.root.dataset.pointsInFilter = String(countBelow(columns.z, data.n_codes));
    this.root.dataset.pointsKey = data.points_key;
    this.root.dataset.ready = 'true';
    performance.mark('mm-draw-end');
  }

  // Points outside the filter are drawn first, so the grey ones never veil the matches.
  drawFadedFirst(codes, nCodes) {
    const faded = [];
    for (let i = 0; i < codes.length; i++) if (codes[i] >= nCodes) faded.push(i);
    if (!faded.length && !this.fadedFirst) return;
    this.fadedFirst = faded.length > 0;
    this.plot.set({ pointOrder: faded.length ? faded : null });
  }

  setMode(mode) {
    this.mode = mode;
    for (const [name, button] of Object.entries(this.modeButtons)) button.classList.toggle('mm-active', name === mode);
    if (!this.plot) return;
    this.plot.set({
      mouseMode: mode === 'pan' ? 'panZoom' : 'lasso',
      lassoType: mode === 'box' ? 'rectangle' : 'freeform',
    });
  }

  applySelection(data) {
    const key = data.selection_key ?? null;
    if (key === this.selectionKey || !this.count) return;
    this.selectionKey = key;
    this.selection = data.selection || [];
    this.plot.select(this.selection, { preventEvent: true });
    this.showSelectionCount();
  }

  onSelect(points) {
    if (this.lassoing || points.length !== 1 || this.mode !== 'pan') {
      this.lassoing = false;
      this.selection = Array.from(points);
      this.showSelectionCount();
      this.send.state('selection', this.selection);
      return;
    }
    // A plain click on a point: report it and keep the lasso selection as it was.
    const [index] = points;
    this.plot.select(this.selection, { preventEvent: true });
    this.pendingClick = index;
    this.drawOverlay();
    this.send.state('clicked', index);
  }

  showSelectionCount() {
    const n = this.selection.length;
    this.root.dataset.selected = String(n);
    this.clearButton.hidden = n === 0;
    this.status.textContent = n ? `${n.toLocaleString('en')} selected` : '';
  }

  onPointOver(index) {
    this.hovered = index;
    this.showTooltip(index);
    clearTimeout(this.hoverTimer);
    if (this.data.text_on_demand && !this.textCache.has(index)) {
      this.hoverTimer = setTimeout(() => {
        if (this.hovered === index) this.send.trigger('hover_request', index);
      }, HOVER_DWELL_MS);
    }
  }

  onPointOut() {
    this.hovered = null;
    clearTimeout(this.hoverTimer);
    this.tooltip.hidden = true;
  }

  showTooltip(index) {
    if (index >= this.count) return;
    const label = this.pointLabel(index);
    const text = this.pointText(index);
    this.tooltip.replaceChildren();
    if (label) el('div', 'mm-tooltip-label', this.tooltip, label);
    if (text !== null) el('div', 'mm-tooltip-text', this.tooltip, text);
    this.tooltip.hidden = !label && text === null;
    // below and right of the point, or above it / to its left where the stage ends
    const [x, y] = this.plot.getScreenPosition(index);
    const { width, height } = this.stageSize();
    const box = { width: this.tooltip.offsetWidth, height: this.tooltip.offsetHeight };
    const below = y + 12 + box.height <= height;
    this.tooltip.style.top = `${below ? y + 12 : Math.max(y - 12 - box.height, 0)}px`;
    this.tooltip.style.left = `${x + 12 + box.width <= width ? x + 12 : Math.max(x - 12 - box.width, 0)}px`;
  }

  pointLabel(index) {
    const data = this.data;
    if (this.values) return `${data.value_name || 'value'}: ${formatNumber(this.values[index])}`;
    if (this.categories && data.category_names) return data.category_names[this.categories[index]] ?? '';
    return '';
  }

  pointText(index) {
    if (this.texts) return this.texts(index) ?? '';
    if (this.textCache.has(index)) return this.textCache.get(index);
    return this.data.text_on_demand ? '…' : null;
  }

  setClusters(clusters) {
    const signature = JSON.stringify(clusters);
    if (signature === this.clusterSignature) return;
    this.clusterSignature = signature;
    this.labels.replaceChildren();
    this.clusterBoxes = clusters.map((cluster) => {
      const level = cluster.level ?? 0;
      const node = el('div', `mm-label mm-label-l${Math.min(level, 2)}`, this.labels, cluster.text);
      node.dataset.testid = 'map-label';
      node.dataset.level = String(level);
      node.style.display = 'none';
      return { node, x: cluster.x, y: cluster.y, weight: cluster.weight ?? 1, level, width: 0, height: 0, shown: false };
    });
    this.labelLevels = 1 + Math.max(0, ...this.clusterBoxes.map((box) => box.level));
  }

  scheduleOverlay() {
    if (this.overlayFrame) return;
    this.overlayFrame = requestAnimationFrame(() => {
      this.overlayFrame = null;
      this.drawOverlay();
    });
  }

  drawOverlay() {
    if (!this.plot || !this.count) return;
    this.drawRings();
    this.placeLabels();
    if (this.contoursOn) this.placeContours();
  }

  toggleContours() {
    this.contoursOn = !this.contoursOn;
    this.contourButton.classList.toggle('mm-active', this.contoursOn);
    this.root.dataset.contours = this.contoursOn ? 'on' : 'off';
    if (this.contoursOn) this.computeContours();
    else this.contourGroup.replaceChildren();
    if (this.shownColours) this.showColours(...this.shownColours);
    this.scheduleOverlay();
  }

  // The density of the points that pass the filter (codes below n_codes), as isolines in the map's coordinates.
  computeContours() {
    if (!this.pointColumns) return;
    const started = performance.now();
    const { x, y, z } = this.pointColumns;
    const nCodes = this.nCodes ?? Infinity;
    const lines = isolines(densityGrid(x, y, (i) => z[i] < nCodes));
    this.contourGroup.replaceChildren();
    for (const line of lines) {
      svgEl('path', this.contourGroup, { d: line.path, class: `mm-contour mm-contour-${line.level}` });
    }
    this.root.dataset.contourLines = String(lines.length);
    this.root.dataset.contourMs = (performance.now() - started).toFixed(1);
    this.placeContours();
  }

  // The lines follow the camera: the same affine map the points get (see `projector`), as one SVG transform.
  placeContours() {
    const { width, height } = this.stageSize();
    const view = this.plot.get('cameraView');
    const aspect = width / height;
    const matrix = [width * view[0] / (2 * aspect), -height * view[1] / 2, width * view[4] / (2 * aspect),
      -height * view[5] / 2, width * (view[12] / aspect + 1) / 2, height * (0.5 - view[13] / 2)];
    this.contourGroup.setAttribute('transform', `matrix(${matrix.join(' ')})`);
  }

  drawRings() {
    this.rings.replaceChildren();
    const highlight = this.pendingClick ?? this.data.highlight ?? -1;
    const fromPython = this.pendingClick == null || this.pendingClick === this.data.highlight;
    const neighbours = fromPython ? (this.data.neighbours || []).filter((i) => i >= 0 && i < this.count) : [];
    const focused = highlight >= 0 && highlight < this.count;
    if (focused) {  // a clicked document: a line to each of its neighbours
      const [hx, hy] = this.plot.getScreenPosition(highlight);
      for (const index of neighbours) {
        const [x, y] = this.plot.getScreenPosition(index);
        svgEl('line', this.rings, { x1: hx, y1: hy, x2: x, y2: y, class: 'mm-link' });
      }
    }
    // without a focus, the rings are documents found for typed text ("find documents like")
    for (const index of neighbours) {
      const [x, y] = this.plot.getScreenPosition(index);
      svgEl('circle', this.rings, { cx: x, cy: y, r: 7, class: 'mm-ring mm-neighbour', 'data-index': index });
    }
    if (focused) {
      const [hx, hy] = this.plot.getScreenPosition(highlight);
      svgEl('circle', this.rings, { cx: hx, cy: hy, r: 10, class: 'mm-ring mm-focus', 'data-index': highlight });
    }
  }

  placeLabels() {
    if (!this.clusterBoxes?.length) {
      this.root.dataset.labelsVisible = '0';
      return;
    }
    const started = performance.now();
    const { width, height } = this.stageSize();
    const candidates = this.labelsInView(width, height);
    const unmeasured = candidates.filter((box) => !box.width);
    for (const box of unmeasured) box.node.style.display = 'block';   // all written, then all read: one layout
    for (const box of unmeasured) {
      box.width = box.node.offsetWidth;
      box.height = box.node.offsetHeight;
      if (!box.shown) box.node.style.display = 'none';
    }
    for (const box of candidates) {
      box.left = box.sx - box.width / 2;
      box.top = box.sy - box.height / 2;
    }
    const visible = declutter(candidates, width, height);
    const showing = new Set(candidates.filter((_, i) => visible[i]));
    for (const box of this.clusterBoxes) {
      const show = showing.has(box);
      if (show) box.node.style.transform = `translate(${box.left}px, ${box.top}px)`;
      if (show !== box.shown) box.node.style.display = show ? 'block' : 'none';
      box.shown = show;
    }
    this.root.dataset.labelsVisible = String(showing.size);
    this.root.dataset.labelMs = (performance.now() - started).toFixed(2);
  }

  // The names of one level: the finest whose names in view leave room for each (LABEL_ROOM square pixels), the
  // broadest when none does; so zooming in on a topic replaces its name with its children's.
  labelsInView(width, height) {
    const toScreen = this.projector(width, height);
    const inView = new Array(this.labelLevels).fill(0);
    for (const box of this.clusterBoxes) {
      [box.sx, box.sy] = toScreen(box.x, box.y);
      box.inView = box.sx >= 0 && box.sy >= 0 && box.sx <= width && box.sy <= height;
      if (box.inView) inView[box.level] += 1;
    }
    const room = Math.max(3, Math.round((width * height) / LABEL_ROOM));
    let level = Math.max(0, inView.findIndex((count) => count > 0));
    inView.forEach((count, depth) => { if (count > 0 && count <= room) level = depth; });
    this.root.dataset.labelLevel = String(level);
    return this.clusterBoxes.filter((box) => box.inView && box.level === level);
  }

  // Normalised map coordinates -> pixels, the same transform regl-scatterplot applies to points
  // (camera view, then the canvas aspect ratio).
  projector(width, height) {
    const view = this.plot.get('cameraView');
    const aspect = width / height;
    return (x, y) => {
      const clipX = (view[0] * x + view[4] * y + view[12]) / aspect;
      const clipY = view[1] * x + view[5] * y + view[13];
      return [(width * (clipX + 1)) / 2, height * (0.5 - clipY / 2)];
    };
  }

  // The canvas fills the stage's padding box (inside its border).
  stageSize() {
    return { width: this.stage.clientWidth, height: this.stage.clientHeight };
  }

  resize() {
    if (!this.plot) return;
    const { width, height } = this.stageSize();
    if (width < 1 || height < 1) return;
    this.plot.set({ width, height });
    this.scheduleOverlay();
  }

  destroy() {
    this.resizeObserver.disconnect();
    clearTimeout(this.hoverTimer);
    this.plot?.destroy();
    this.plot = null;
    this.root.remove();
  }
}

function column(table, name, required = true) {
  const values = columnOf(table, name);
  if (!values && required) throw new Error(`the points table has no column "${name}"`);
  return values;
}

// Any CSS colour as [r, g, b, a] in 0-1, read back from the browser's own parser.
function toRgba(colour) {
  const probe = document.createElement('canvas').getContext('2d');
  probe.fillStyle = '#000000';
  probe.fillStyle = colour;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
  return [r / 255, g / 255, b / 255, a / 255];
}

// Colour codes as regl-scatterplot wants them (floats), moved past the palette for points outside the
// filter; bits holds one bit a point, least significant first (numpy's packbits, bitorder="little").
function fadedCodes(codes, bits, nCodes) {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const inside = !bits || (bits[i >> 3] >> (i & 7)) & 1;
    out[i] = inside ? codes[i] : codes[i] + nCodes;
  }
  return out;
}

function countBelow(codes, limit) {
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] < limit) n++;
  return n;
}
