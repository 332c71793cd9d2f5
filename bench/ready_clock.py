"""When a page's points are on screen, read by the page itself: an init script checks the ready selectors on
every animation frame from the page's start (also inside components' shadow roots) and notes the first
time one matches, in milliseconds from the navigation's start. Playwright's own wait_for_selector polls
with a back-off up to 500 ms, which blurred the figures of earlier runs by up to half a second."""

READY = {"map": "[data-testid=murmuration-map][data-ready=true]",
         "plotly": ".js-plotly-plot .scatterlayer .trace, .js-plotly-plot canvas"}
_SCRIPT = """
(() => {
  window.__ready = {};
  const selectors = %s;
  const hosts = () => document.querySelectorAll('[data-testid=stBidiComponentIsolated]');
  const find = (selector) => Boolean(document.querySelector(selector)) || Array.from(hosts()).some(
    (host) => host.shadowRoot && host.shadowRoot.querySelector(selector));
  const tick = () => {
    for (const [name, selector] of Object.entries(selectors)) {
      if (!(name in window.__ready) && find(selector)) window.__ready[name] = performance.now();
    }
    if (!Object.keys(window.__ready).length) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def install(context) -> None:
    """Add the clock to every page of a browser context (before it opens one)."""
    import json

    context.add_init_script(_SCRIPT % json.dumps(READY))


def ready_seconds(page, name: str, timeout_ms: int = 600_000) -> float:
    """Seconds from the navigation's start to the first frame in which READY[name] matched."""
    page.wait_for_function(f"() => window.__ready && {name!r} in window.__ready", timeout=timeout_ms)
    return page.evaluate(f"window.__ready[{name!r}]") / 1000
