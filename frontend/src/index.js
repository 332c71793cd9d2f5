// Streamlit components v2 entry point: Streamlit calls the default export on every rerun
// with the same parentElement, so one MapView lives per mounted element and only the parts
// of `data` that changed are redrawn.
import { MapView } from './map_view.js';
import './style.css';

const views = new WeakMap();

export default function render({ data, parentElement, setStateValue, setTriggerValue }) {
  performance.mark('mm-render');
  let view = views.get(parentElement);
  if (!view) {
    view = new MapView(parentElement);
    views.set(parentElement, view);
  }
  view.send = { state: setStateValue, trigger: setTriggerValue };
  view.update(data || {});
  // Streamlit runs the cleanup returned by the last call when the element unmounts.
  return () => {
    view.destroy();
    views.delete(parentElement);
  };
}
