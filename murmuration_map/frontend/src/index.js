// The bundle's entry (build/map.js). Its default export is the Streamlit components v2 host: Streamlit calls
// it on every rerun with the same parentElement, so one MapView lives per mounted element and only the parts
// of `data` that changed are redrawn. MapView itself knows no host: another one (a notebook widget, a static
// page) imports it from the same bundle, makes `new MapView(element)`, sets `view.send = { state, trigger }`
// to hear back (clicked, selection, hover_request, missing), and calls `view.update(data)` with the payload
// of murmuration_map.prepare_map (tables as Arrow tables or plain objects of columns).
import { MapView } from './map_view.js';
import './style.css';

export { MapView };

// A map that moves in the page's layout (e.g. into a column once a point is clicked) is unmounted and
// mounted again under a new parent (with a new frontend key, but the same Python key, data.map_id):
// the drawn map moves along instead of starting empty.
const REMOUNT_GRACE_MS = 3000;
const views = new Map();

export default function render({ data, key, parentElement, setStateValue, setTriggerValue }) {
  performance.mark('mm-render');
  const id = data?.map_id ?? key;
  let view = views.get(id);
  if (view && view.parentElement !== parentElement) view.moveTo(parentElement);
  if (!view) {
    view = new MapView(parentElement);
    views.set(id, view);
  }
  clearTimeout(view.destroyTimer);
  view.send = { state: setStateValue, trigger: setTriggerValue };
  view.update(data || {});
  // Streamlit runs the cleanup returned by the last call when the element unmounts.
  return () => {
    view.destroyTimer = setTimeout(() => {
      if (view.parentElement !== parentElement) return;  // mounted again elsewhere meanwhile
      view.destroy();
      views.delete(id);
    }, REMOUNT_GRACE_MS);
  };
}
