// The notebook widget's host (build/widget.js, an anywidget ES module; murmuration_map/widget.py is its Python
// side). Python syncs the payload's small parts (_data) and its big parts packed as bytes (_points, _texts:
// see packed.js); the browser reports a lasso or box selection (_selected_indices) and a click
// (_clicked_index) in map indices, which Python turns into the caller's rows.
import { MapView } from './map_view.js';
import { pointTables, textColumn, unpack } from './packed.js';

// A traitlets Bytes arrives as a DataView over a bigger buffer (or an ArrayBuffer).
function bufferOf(value) {
  if (!value) return null;
  if (value instanceof ArrayBuffer) return value;
  return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
}

// Decoding the big parts again only when Python sent new ones.
function decoder(model) {
  let points = null;
  let texts = null;
  let tables = {};
  let textTable = null;
  return () => {
    if (model.get('_points') !== points) {
      points = model.get('_points');
      tables = points ? pointTables(unpack(bufferOf(points))) : {};
    }
    if (model.get('_texts') !== texts) {
      texts = model.get('_texts');
      textTable = texts ? { text: textColumn(unpack(bufferOf(texts))) } : null;
    }
    return { ...model.get('_data'), ...tables, texts: textTable };
  };
}

function report(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

export default {
  render({ model, el }) {
    const view = new MapView(el);
    view.send = {
      state: (name, value) => {
        if (name === 'selection') report(model, '_selected_indices', Array.from(value));
        if (name === 'clicked') report(model, '_clicked_index', value);
      },
      trigger: () => {},
    };
    const payload = decoder(model);
    const draw = () => view.update(payload());
    const events = ['change:_data', 'change:_points', 'change:_texts'];
    for (const event of events) model.on(event, draw);
    draw();
    return () => {
      for (const event of events) model.off(event, draw);
      view.destroy();
    };
  },
};
