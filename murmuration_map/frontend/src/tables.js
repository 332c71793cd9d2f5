// The big parts of the payload (points, style, filter, texts) are tables. Streamlit hands them over as
// Apache Arrow tables; another host (a notebook widget, a static page) may pass plain objects of columns
// instead ({ x: Float32Array, y: Float32Array }, { text: [...] }, or a column read one value at a time through
// its get(index)). The map reads them all through these three.

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
    if (!values) return null;
    return typeof values.get === 'function' ? (index) => values.get(index) : (index) => values[index];
  }
  const child = table.getChild(name);
  return child ? (index) => child.get(index) : null;
}
