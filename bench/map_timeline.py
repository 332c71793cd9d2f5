"""Where the time goes between opening a page and the map's data-ready, in headless chromium: every
websocket message decoded (Streamlit's protobufs), with its time and size, plus the component's own
performance marks (mm-render, mm-draw-start, mm-draw-end).

    python bench/map_timeline.py                       # the app's home page, a fresh server
    python bench/map_timeline.py --visits 3 --path /Map
    python bench/map_timeline.py --script tests/apps/map_component_app.py --path "/?n=100000"

Each visit is a new browser session on the same server; the first one also pays the server's cold
caches. Times are milliseconds from page.goto. Traffic stays on 127.0.0.1.
"""
import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from testkit.live_server import ARGS, server
from first_map import BARE_APP
from ready_clock import install, ready_seconds

ROOT = Path(__file__).resolve().parent.parent
MARKS = ("() => performance.getEntriesByType('mark').filter(m => m.name.startsWith('mm-'))"
         ".map(m => [m.name, m.startTime])")


def describe_forward(payload: bytes) -> str:
    message = ForwardMsg.FromString(payload)
    kind = message.WhichOneof("type")
    if kind == "delta":
        delta = message.delta
        what = delta.WhichOneof("type")
        if what == "new_element":
            element = delta.new_element.WhichOneof("type")
            if element == "bidi_component":
                bidi = delta.new_element.bidi_component
                return (f"delta bidi_component (js {len(bidi.js_content):,} B, data "
                        f"{bidi.WhichOneof('data')}, {len(payload):,} B)")
            return f"delta {element}"
        return f"delta {what}"
    if kind == "script_finished":
        return f"script_finished {message.script_finished}"
    if kind == "new_session":
        return "new_session"
    return kind or "?"


def map_messages(page) -> list[tuple[int, int]]:
    """(message bytes, Arrow bytes) of every map message the page receives, filled as they arrive."""
    sizes = []

    def on_frame(payload):
        if isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "bidi_component":
                blobs = message.delta.new_element.bidi_component.mixed.arrow_blobs
                sizes.append((len(payload), sum(len(blob.data) for blob in blobs.values())))

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    return sizes


def describe_back(payload) -> str:
    if isinstance(payload, str):
        return f"text {payload[:60]}"
    message = BackMsg.FromString(payload)
    kind = message.WhichOneof("type")
    if kind == "rerun_script":
        widgets = message.rerun_script.widget_states.widgets
        return f"rerun_script (page {message.rerun_script.page_script_hash[:8]}, {len(widgets)} widget states)"
    return kind or "?"


def visit(browser, url: str, ready_name: str, verbose: bool) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    install(context)
    page = context.new_page()
    events = []
    started = time.perf_counter()

    def note(text: str) -> None:
        events.append(((time.perf_counter() - started) * 1000, text))

    def on_socket(socket) -> None:
        note("websocket open")
        socket.on("framereceived", lambda payload: note("<- " + describe_forward(payload)
                                                         if isinstance(payload, bytes) else "<- text"))
        socket.on("framesent", lambda payload: note("-> " + describe_back(payload)))

    page.on("websocket", on_socket)
    page.on("response", lambda response: note(f"http {response.status} {response.url.split('/', 3)[-1][:70]}")
            if verbose else None)
    started = time.perf_counter()
    page.goto(url)
    note("goto returned")
    ready = ready_seconds(page, ready_name) * 1000
    events.append((ready, f"{ready_name} ready (first frame)"))
    for name, at in page.evaluate(MARKS):
        events.append((at, f"mark {name}"))  # from the navigation's start, a few ms after goto's
    context.close()
    for at, text in sorted(events):
        if verbose or not text.startswith("<- delta") or "bidi" in text:
            print(f"{at:9.0f} ms  {text}")
    return ready


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", default="app.py", help="a Streamlit script, or 'bare': first_map.py's bare page")
    parser.add_argument("--path", default="/")
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--ready", default="map", choices=["map", "plotly"])
    parser.add_argument("--verbose", action="store_true", help="every delta and http response")
    args = parser.parse_args()
    script = ROOT / args.script
    if args.script == "bare":
        script = Path(tempfile.mkdtemp()) / "bare.py"
        script.write_text(BARE_APP.format(root=str(ROOT)))
    with sync_playwright() as playwright, server(script, ROOT) as url:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for number in range(args.visits):
            print(f"visit {number + 1}: {url}{args.path}")
            print(f"visit {number + 1}: ready after {visit(browser, url + args.path, args.ready, args.verbose):.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
