// Colours that stay visible on the page's background. Kelly's palette and viridis were picked for a light
// page; on a dark one their darkest colours (dark olive, brown, viridis' purple end) nearly vanish. There,
// a colour under 3.5:1 contrast with the background (WCAG's minimum for graphics is 3:1; dots of a few pixels
// need a margin) is mixed with white until it reaches it. The light theme keeps the colours Python sent.

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

export function legibleOn(background, colour) {
  if (luminance(background) > 0.2) return colour;
  const [r, g, b, a = 1] = colour;
  for (let step = 0; step <= 10; step++) {
    const t = step / 10;
    const mixed = [r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t];
    if (contrast(mixed, background) >= MIN_CONTRAST) return [...mixed, a];
  }
  return [1, 1, 1, a];
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
