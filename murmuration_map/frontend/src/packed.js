// Columns packed by murmuration_map.static_page.pack: a little-endian uint32 header length, the JSON header
// ([{name, dtype, offset, length}]), then the arrays, each at a multiple of 8 from the first, viewed in place.
// Used by the HTML file's page (page.js) and the notebook widget (widget.js).
const TYPES = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
};

export function unpack(buffer) {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const start = Math.ceil((4 + length) / 8) * 8;
  const out = {};
  for (const entry of header) out[entry.name] = new TYPES[entry.dtype](buffer, start + entry.offset, entry.length);
  return out;
}

// Texts stay UTF-8 bytes; one is decoded when it is shown.
export function textColumn({ offsets, bytes }) {
  const decoder = new TextDecoder();
  return { length: offsets.length - 1, get: (i) => decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])) };
}

// The map's tables from the packed points part: x and y, the style columns ("style.z", ...), the filter's bits.
export function pointTables(points) {
  const style = {};
  for (const [name, values] of Object.entries(points)) if (name.startsWith('style.')) style[name.slice(6)] = values;
  return {
    points: { x: points.x, y: points.y },
    style,
    filter: points['filter.bits'] ? { bits: points['filter.bits'] } : null,
  };
}
