// Density contours of the map: the points (in the map's normalised coordinates, -1..1) binned on a grid,
// smoothed by three box blurs (close to a Gaussian kernel, its width shrinking with the number of points as
// n^(-1/6), Scott's rule in two dimensions), and cut at a few levels of density into isolines by
// marching squares. The lines are in the same normalised coordinates as the points, so panning and zooming only
// changes one transform.

export const GRID = 256;
const LEVELS = [0.04, 0.1, 0.2, 0.35, 0.55, 0.8];    // shares of the highest density

// Each case of the four corners above the level (bit 0: (i, j), 1: (i+1, j), 2: (i+1, j+1), 3: (i, j+1)) gives
// the cell edges a line crosses (0 bottom, 1 right, 2 top, 3 left), two by two.
const SEGMENTS = [[], [3, 0], [0, 1], [3, 1], [1, 2], [3, 0, 1, 2], [0, 2], [3, 2], [2, 3], [0, 2], [0, 1, 2, 3],
  [1, 2], [1, 3], [0, 1], [3, 0], []];

export function densityGrid(xs, ys, keep, size = GRID) {
  const grid = new Float32Array(size * size);
  const scale = size / 2;
  let counted = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep && !keep(i)) continue;
    const gx = Math.floor((xs[i] + 1) * scale);
    const gy = Math.floor((ys[i] + 1) * scale);
    if (gx >= 0 && gy >= 0 && gx < size && gy < size) {
      grid[gy * size + gx] += 1;
      counted += 1;
    }
  }
  const radius = Math.min(12, Math.max(2, Math.round(size * 0.12 * Math.max(counted, 1) ** (-1 / 6))));
  const spare = new Float32Array(size * size);
  for (let pass = 0; pass < 3; pass++) {
    boxBlur(grid, spare, size, 1, size, radius);   // along rows
    boxBlur(spare, grid, size, size, 1, radius);   // along columns
  }
  return grid;
}

// A running-sum box blur of every line of the grid, from `source` into `target`; `step` walks along a line,
// `stride` from one line to the next.
function boxBlur(source, target, size, stride, step, radius) {
  const width = 2 * radius + 1;
  for (let line = 0; line < size; line++) {
    const start = line * stride;
    let sum = 0;
    for (let k = 0; k < radius; k++) sum += source[start + k * step];
    for (let k = 0; k < size; k++) {
      if (k + radius < size) sum += source[start + (k + radius) * step];
      if (k - radius - 1 >= 0) sum -= source[start + (k - radius - 1) * step];
      target[start + k * step] = sum / width;
    }
  }
}

// One SVG path (a list of "M x y L x y" segments, in normalised coordinates) per level of density.
export function isolines(grid, size = GRID) {
  let highest = 0;
  for (const value of grid) if (value > highest) highest = value;
  if (highest <= 0) return [];
  const cell = 2 / size;
  return LEVELS.map((share, level) => {
    const threshold = share * highest;
    const parts = [];
    for (let j = 0; j + 1 < size; j++) {
      for (let i = 0; i + 1 < size; i++) {
        const v00 = grid[j * size + i];
        const v10 = grid[j * size + i + 1];
        const v11 = grid[(j + 1) * size + i + 1];
        const v01 = grid[(j + 1) * size + i];
        const index = (v00 > threshold) | ((v10 > threshold) << 1) | ((v11 > threshold) << 2) | ((v01 > threshold) << 3);
        const edges = SEGMENTS[index];
        for (let e = 0; e < edges.length; e += 2) {
          const [ax, ay] = crossing(edges[e], i, j, v00, v10, v11, v01, threshold);
          const [bx, by] = crossing(edges[e + 1], i, j, v00, v10, v11, v01, threshold);
          parts.push(`M${point(ax, cell)} ${point(ay, cell)}L${point(bx, cell)} ${point(by, cell)}`);
        }
      }
    }
    return { level, path: parts.join('') };
  }).filter((line) => line.path);
}

// Where the level crosses one edge of cell (i, j), in grid units of cell centres.
function crossing(edge, i, j, v00, v10, v11, v01, threshold) {
  const along = (a, b) => (b === a ? 0.5 : (threshold - a) / (b - a));
  if (edge === 0) return [i + along(v00, v10), j];
  if (edge === 1) return [i + 1, j + along(v10, v11)];
  if (edge === 2) return [i + along(v01, v11), j + 1];
  return [i, j + along(v00, v01)];
}

// A grid coordinate (of cell centres) in the map's normalised coordinates, short enough for a long path.
function point(g, cell) {
  return ((g + 0.5) * cell - 1).toFixed(4);
}
