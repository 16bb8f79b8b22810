// Starts the proof-of-work widget (ALTCHA 3.2.2, vendored; MIT, see altcha-LICENSE.txt) on
// the sign-in page of a busy network. The page's content policy allows no inline script or
// worker, so the widget's external build is used: its SHA-256 worker is registered here,
// before the widget loads, from the URLs the page gives on the element.
const el = document.querySelector("altcha-widget[data-worker]");
if (el) {
  await import(el.dataset.i18n); // makes $altcha and adds the Chinese words
  globalThis.$altcha.algorithms.set("SHA-256", () => new Worker(el.dataset.worker));
  await import(el.dataset.widget);
}
