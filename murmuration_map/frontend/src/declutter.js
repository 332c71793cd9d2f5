// Greedy label placement: the heaviest labels first, a label is hidden when its box
// overlaps one already placed or falls outside the canvas.

export function declutter(boxes, width, height, margin = 2) {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].weight - boxes[a].weight);
  const placed = [];
  const visible = new Array(boxes.length).fill(false);
  for (const i of order) {
    const b = boxes[i];
    const inside = b.left >= 0 && b.top >= 0 && b.left + b.width <= width && b.top + b.height <= height;
    if (!inside) continue;
    const overlaps = placed.some((p) => !(
      b.left + b.width + margin <= p.left || p.left + p.width + margin <= b.left ||
      b.top + b.height + margin <= p.top || p.top + p.height + margin <= b.top));
    if (overlaps) continue;
    placed.push(b);
    visible[i] = true;
  }
  return visible;
}
