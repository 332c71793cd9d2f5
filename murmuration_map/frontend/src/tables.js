// The big parts of the payload (points, style, filter, texts) are tables. Streamlit hands them over as
// Apache Arrow tables; another host (a notebook widget, a static page) may pass plain objects of columns
// instead ({ x: Float32Array, y: Float32Array }, { text: [...] }). The map reads both through these three.

export function rowCount(table) {
  if (!table) return 0;
  if (typeof table.numRows === 'number') return table.numRows;
  const first = Object.values(table)[0];
  return first ? first.length : 0;
}

export function columnOf(table, name) {
  if (!table) return null;
  if (typeof table.getChild !== 'function') return table[name] ?? null;
  const child = table.getChild(name);
  return child ? child.toArray() : null;
}

// One value at a time, for columns too big to copy at once (a million hover texts).
export function cellReader(table, name) {
  if (!table) return null;
  if (typeof table.getChild !== 'function') {
    const values = table[name];
    return values ? (index) => values[index] : null;
  }
  const child = table.getChild(name);
  return child ? (index) => child.get(index) : null;
}
