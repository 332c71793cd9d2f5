"""The WebGL map component against a bare plotly page, in headless chromium, in one run.

    python bench/map_component.py            # 100,000 points (both pages), then 1,000,000 (the component)
    python bench/map_component.py --visits 3 --million-plotly

Seconds are from the navigation's start to the first animation frame in which the points are on screen
(bench/ready_clock.py): for the component, its root's data-ready="true" (set when regl-scatterplot's
draw() resolves, after its first frame with the points); for plotly, its trace or WebGL canvas. Each visit is a new
browser context on a server already started (the scripts' data is cached after the first visit to each).
Memory: the chromium processes' PSS (summed over the browser's process tree, from /proc) and the JS heap
(performance.memory); the server's RSS and peak RSS. Needs chromium and playwright (requirements-dev.txt).
"""
import argparse
import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from testkit.live_server import ARGS, server
from map_timeline import map_messages
from ready_clock import install, ready_seconds

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "apps"


def visit(browser, url: str, kind: str, n: int, interact: bool = False) -> tuple[float, dict]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    install(context)
    page = context.new_page()
    messages = map_messages(page)
    page.goto(f"{url}/?n={n}")
    seconds = ready_seconds(page, "map" if kind == "component" else "plotly")
    memory = {"js_heap_mb": page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null"),
              "chromium_pss_mb": process_tree_mb(os.getpid(), exclude={os.getpid()})}
    if kind == "component":
        memory["points_drawn"] = page.locator("[data-testid=murmuration-map]").get_attribute("data-points-drawn")
    if interact:
        memory.update(round_trips(page))
        page.wait_for_timeout(500)
        memory["messages"] = list(messages)
    context.close()
    return seconds, memory


def round_trips(page) -> dict:
    """Seconds for a hover to show the full text (fetched on demand above INLINE_TEXT_LIMIT) and for a click
    to come back from Python, with a point near the canvas centre."""
    box = page.locator("[data-testid=murmuration-map] canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx in range(0, 200, 3):  # walk right until the pointer rests on a point
        page.mouse.move(x + dx, y)
        page.wait_for_timeout(30)
        if page.locator(".mm-tooltip").is_visible():
            break
    started = time.perf_counter()
    page.wait_for_function("() => { const t = document.querySelector('[data-testid=stBidiComponentIsolated]')"
                           ".shadowRoot.querySelector('.mm-tooltip-text'); return t && t.textContent !== '…'; }",
                           timeout=120_000)
    hover = time.perf_counter() - started
    started = time.perf_counter()
    page.mouse.click(x + dx, y)
    page.wait_for_function("/clicked=\\d/.test(document.body.innerText)", timeout=120_000)
    return {"hover_text_s": hover, "click_s": time.perf_counter() - started}


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def process_tree_mb(pid: int, exclude=frozenset()) -> float:
    """PSS of a process's descendants: shared pages split between the processes that share them."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children(current))
        if current not in exclude:
            total += status_kb(current, "Pss", "smaps_rollup") / 1024
    return total


def status_kb(pid: int, field: str, source: str = "status") -> float:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--million-plotly", action="store_true", help="also time plotly with 1,000,000 points")
    args = parser.parse_args()
    with sync_playwright() as playwright, \
            server(APPS / "map_component_app.py", ROOT, with_process=True) as (component_url, component_server), \
            server(APPS / "plotly_scatter_app.py", ROOT) as plotly_url:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=[*ARGS, "--enable-precise-memory-info"])
        urls = {"component": component_url, "plotly": plotly_url}
        for kind in urls:  # one unmeasured visit each: the servers compute and cache the 100,000 points
            visit(browser, urls[kind], kind, 100_000)
        times = {"component": [], "plotly": []}
        for _ in range(args.visits):
            for kind in urls:
                times[kind].append(visit(browser, urls[kind], kind, 100_000)[0])
        median = {kind: statistics.median(seconds) for kind, seconds in times.items()}
        print("100,000 points, seconds from opening the page to the points on screen:")
        for kind, seconds in times.items():
            print(f"  {kind:9s} " + ", ".join(f"{s:.2f}" for s in seconds) + f"  (median {median[kind]:.2f})")
        print(f"  ratio component / plotly: {median['component'] / median['plotly']:.2f}")
        visit(browser, component_url, "component", 1_000_000)  # first visit computes and caches the points
        seconds, memory = visit(browser, component_url, "component", 1_000_000, interact=True)
        print(f"1,000,000 points, component: {seconds:.1f} s to data-ready; drawn {memory['points_drawn']}; "
              f"chromium PSS {memory['chromium_pss_mb']:.0f} MB; JS heap {memory['js_heap_mb']:.0f} MB; "
              f"hover text fetched in {memory['hover_text_s']:.1f} s; click back in Python in {memory['click_s']:.1f} s; "
              f"server RSS {status_kb(component_server.pid, 'VmRSS') / 1024:.0f} MB "
              f"(peak {status_kb(component_server.pid, 'VmHWM') / 1024:.0f} MB)")
        print("1,000,000 points, the map's messages (first draw, hover-text request, click): " + ", ".join(
            f"{total / 1e6:.2f} MB ({arrow / 1e6:.2f} MB Arrow)" for total, arrow in memory["messages"]))
        if args.million_plotly:
            seconds, memory = visit(browser, plotly_url, "plotly", 1_000_000)
            print(f"1,000,000 points, plotly: {seconds:.1f} s; chromium PSS {memory['chromium_pss_mb']:.0f} MB")
        browser.close()


if __name__ == "__main__":
    main()
