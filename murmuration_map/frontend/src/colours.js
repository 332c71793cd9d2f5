// Colours that stay visible on the page's background. Kelly's palette and viridis were picked for a light
// page; on a dark one their darkest colours (dark olive, brown, viridis' purple end) nearly vanish. There,
// dark colours are lifted to at least 3.5:1 contrast with the background (WCAG's minimum for graphics is 3:1;
// dots of a few pixels need a margin). The light theme keeps the colours Python sent.

const MIN_CONTRAST = 3.5;

function channel(c) {
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

// WCAG relative luminance of [r, g, b] in 0-1.
export function luminance([r, g, b]) {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// Below a knee luminance, a colour's luminance is mapped linearly from [0, knee] onto [floor, knee] (floor: the
// luminance with the minimum contrast on this background), by mixing it with white; above the knee it is left
// alone. The map is increasing, so a ramp keeps its order from dark to light and the legend's stops (taken
// from the same ramp) match the points.
export function legibleOn(background, colour) {
  const floor = MIN_CONTRAST * (luminance(background) + 0.05) - 0.05;
  if (luminance(background) > 0.2 || floor <= 0) return colour;
  const knee = 2 * floor;
  const [r, g, b, a = 1] = colour;
  const start = luminance(colour);
  if (start >= knee) return colour;
  const wanted = floor + ((knee - floor) * start) / knee;
  const mix = (t) => [r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t];
  let [low, high] = [0, 1];
  for (let i = 0; i < 20; i++) {   // luminance grows with the share of white: bisect for the wanted one
    const t = (low + high) / 2;
    if (luminance(mix(t)) < wanted) low = t;
    else high = t;
  }
  return [...mix(high), a];
}

// The legend with the same colours as the points.
export function legibleLegend(legend, background) {
  if (!legend) return legend;
  const fix = (colour) => legibleOn(background, colour);
  if (legend.kind === 'value') return { ...legend, ramp: legend.ramp.map(fix) };
  return {
    ...legend,
    items: legend.items.map((item) => ({ ...item, color: fix(item.color) })),
    other: legend.other && { ...legend.other, color: fix(legend.other.color) },
  };
}

// The opaque colour that a translucent one shows on the background.
export function seenOn(background, [r, g, b, a = 1]) {
  const mix = (over, under) => over * a + under * (1 - a);
  return [mix(r, background[0]), mix(g, background[1]), mix(b, background[2]), 1];
}
