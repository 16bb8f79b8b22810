// The app (/app, /scan, /u/{code}): a client of the public API like any partner's. It signs
// in with the first-party OAuth client (authorization code with PKCE, in the browser), joins
// circles through scan sessions (RFC 8693 token exchange), exchanges cards face to face, and
// registers its service worker (/sw.js), which keeps what the person last saw for offline use.
(function () {
  "use strict";
  const root = document.getElementById("app");
  if (!root) return;
  const W = {};
  document.querySelectorAll("#words [data-w]").forEach(el => { W[el.dataset.w] = el.textContent; });
  const lang = root.dataset.lang, client = root.dataset.client;
  const view = document.getElementById("view"), offlineNote = document.getElementById("offline");
  const TOKEN = "qrc.app.token", PKCE = "qrc.app.pkce", LATER = "qrc.app.passkey-later";
  const SCOPES = "circles:read circles:join cards:read cards:write";
  const callbackURL = location.origin + "/app/callback";
  let stops = []; // what the current view must stop when it is left (camera, timers, streams)

  const fmt = (s, ...args) => { let i = 0; return s.replace(/%s/g, () => args[i++]); };
  // loc picks the reader's half of a server message written "English / 中文".
  function loc(s) {
    const i = (s || "").indexOf(" / ");
    if (i < 0) return s;
    return lang === "zh-Hans" ? s.slice(i + 3) : s.slice(0, i);
  }
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== undefined && v !== null) e.setAttribute(k, v); });
    kids.flat().forEach(k => { if (k !== undefined && k !== null && k !== "") e.append(k); });
    return e;
  }
  function show(...kids) { view.replaceChildren(...kids.flat()); }
  function b64u(bytes) {
    let s = "";
    bytes.forEach(b => { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // --- signing in: the first-party client, code flow with PKCE ---------------------------
  function token() {
    try {
      const t = JSON.parse(localStorage.getItem(TOKEN));
      if (t && t.exp > Date.now() + 30000) return t.access;
    } catch (e) { /* no token */ }
    return "";
  }
  async function signIn() {
    const verifier = b64u(crypto.getRandomValues(new Uint8Array(32)));
    const state = b64u(crypto.getRandomValues(new Uint8Array(16)));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, back: location.pathname + location.search }));
    const q = new URLSearchParams({ client_id: client, response_type: "code", redirect_uri: callbackURL, scope: SCOPES,
      state, code_challenge: b64u(new Uint8Array(digest)), code_challenge_method: "S256" });
    location.assign("/oauth2/auth?" + q);
    return new Promise(() => {}); // the page is leaving
  }
  async function tokenRequest(form) {
    const res = await fetch("/oauth2/token", { method: "POST", body: new URLSearchParams(Object.assign({ client_id: client }, form)) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(W.error);
    return body;
  }
  async function callback() {
    const q = new URLSearchParams(location.search);
    const p = JSON.parse(sessionStorage.getItem(PKCE) || "null");
    sessionStorage.removeItem(PKCE);
    const back = p && p.back && !p.back.startsWith("/app/callback") ? p.back : "/app";
    history.replaceState(null, "", back);
    if (!p || q.get("state") !== p.state || !q.get("code")) return;
    const t = await tokenRequest({ grant_type: "authorization_code", code: q.get("code"), redirect_uri: callbackURL, code_verifier: p.verifier });
    localStorage.setItem(TOKEN, JSON.stringify({ access: t.access_token, exp: Date.now() + t.expires_in * 1000 }));
  }

  // --- the API --------------------------------------------------------------------------
  async function api(path, opts) {
    opts = opts || {};
    const t = token() || (navigator.onLine ? await signIn() : "");
    const headers = Object.assign({ Authorization: "Bearer " + t }, opts.body ? { "Content-Type": "application/json" } : {});
    const res = await fetch("/api/v1" + path, { method: opts.method || "GET", headers, body: opts.body && JSON.stringify(opts.body) });
    if (res.headers.get("X-QRC-Offline")) markOffline(res.headers.get("Date"));
    if (res.status === 401 && navigator.onLine) {
      localStorage.removeItem(TOKEN);
      await signIn();
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(loc(body && body.detail) || W.error);
    return { status: res.status, body };
  }
  function markOffline(date) {
    const d = date ? new Date(date) : new Date();
    const hhmm = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
    offlineNote.textContent = fmt(W.offline, hhmm);
    offlineNote.hidden = false;
  }
  const offline = () => !offlineNote.hidden;

  // --- views ------------------------------------------------------------------------------
  function list(items, item, id) {
    return el("ul", { class: "links", id }, items.length ? items.map(x => el("li", {}, item(x))) : el("li", { class: "muted" }, W.none));
  }
  function cardLines(c) {
    return [c.title, c.company, (c.phones || []).join(", "), (c.emails || []).join(", "), c.address, c.website, c.note]
      .filter(Boolean).map(x => el("div", {}, x));
  }

  async function circlesView() {
    const { body } = await api("/me/circles");
    show(el("h1", {}, W.nav_circles),
      el("h2", {}, W.joined), list(body.joined, c => el("a", { href: "/app/circles/" + c.id }, c.title), "joined"),
      el("h2", {}, W.organize), list(body.owned, c => el("a", { href: "/app/circles/" + c.id }, c.title), "owned"));
    if (!offline()) keepForOffline(body.joined.concat(body.owned));
  }
  // keepForOffline reads what the app shows so that the service worker has it: the members'
  // cards of every circle, one's own card, the contacts.
  function keepForOffline(circles) {
    const paths = ["/me/card", "/contacts"];
    circles.forEach(c => paths.push("/circles/" + c.id, "/circles/" + c.id + "/members/cards"));
    paths.forEach(p => api(p).catch(() => {}));
  }

  async function circleView(id) {
    const [circle, members] = await Promise.all([api("/circles/" + id), api("/circles/" + id + "/members/cards")]);
    show(el("h1", {}, circle.body.title), el("p", { class: "muted" }, circle.body.location),
      el("h2", {}, W.members),
      list(members.body.cards, c => [el("a", { href: "/app/circles/" + id + "/members/" + c.user_id }, c.display_name), " ",
        el("span", { class: "muted" }, [c.title, c.company].filter(Boolean).join(" · "))], "members"),
      el("p", {}, el("a", { href: "/app" }, W.back)));
  }

  async function memberView(id, uid) {
    const { body } = await api("/circles/" + id + "/members/cards");
    const c = body.cards.find(x => String(x.user_id) === uid);
    if (!c) throw new Error(W.error);
    show(el("article", { id: "card" }, el("h1", {}, c.display_name), cardLines(c)),
      el("p", {}, el("a", { href: "/app/circles/" + id }, W.back)));
  }

  async function contactsView() {
    const { body } = await api("/contacts");
    show(el("h1", {}, W.nav_contacts),
      list(body.contacts, c => [el("strong", {}, c.display_name), cardLines(c),
        el("a", { href: "/messages/" + c.user_id + "#compose", class: "message-link" }, W.message)], "contacts"));
    live(["card.delivered", "card.request.decided"], () => { if (location.pathname === "/app/contacts") route(); });
  }

  async function meView() {
    const me = await api("/me/card").catch(() => ({ body: {} }));
    const qr = el("div", { id: "personal-qr", class: "personal-qr" });
    const news = el("ul", { id: "new-contacts", class: "links" });
    show(el("h1", {}, me.body.display_name || W.nav_card), cardLines(me.body),
      el("h2", {}, W.my_code), qr, el("p", { class: "hint" }, W.my_code_hint), news);
    if (offline()) return;
    const refresh = async () => {
      const { body } = await api("/me/card/code");
      qr.innerHTML = body.svg; // the server's own SVG drawing of the code
      qr.dataset.url = body.url;
      const next = setTimeout(refresh, Math.max(30000, new Date(body.expires_at) - Date.now() - 60000));
      stops.push(() => clearTimeout(next));
    };
    await refresh();
    live(["card.delivered", "card.requested"], async (type, data) => {
      if (type === "card.delivered") {
        const c = await api("/contacts/" + data.from_id);
        news.append(el("li", { class: "notice" }, fmt(W.new_contact, c.body.display_name)));
        return;
      }
      const accept = el("button", { type: "button" }, W.accept);
      const item = el("li", { class: "notice" }, W.card_waiting, " ", accept);
      accept.addEventListener("click", async () => {
        await api("/me/card-requests/" + data.request_id + "/accept", { method: "POST" });
        const c = await api("/contacts/" + data.from_id);
        item.replaceWith(el("li", { class: "notice" }, fmt(W.new_contact, c.body.display_name)));
      });
      news.append(item);
    });
  }

  // live calls on(type, data) for each event of the given types while the view is shown.
  function live(types, on) {
    if (!window.EventSource) return;
    const es = new EventSource("/api/v1/events");
    types.forEach(t => es.addEventListener(t, ev => {
      let data = {};
      try { data = JSON.parse(ev.data || "{}"); } catch (e) { /* ignore */ }
      Promise.resolve(on(t, data)).catch(() => {});
    }));
    stops.push(() => es.close());
  }

  // --- the scanner ---------------------------------------------------------------------
  let jsQRLoading;
  function loadJsQR() {
    jsQRLoading = jsQRLoading || new Promise((resolve, reject) => {
      const s = el("script", { src: root.dataset.jsqr });
      s.onload = () => resolve(window.jsQR);
      s.onerror = reject;
      document.head.append(s);
    });
    return jsQRLoading;
  }
  // decoder reads QR codes from an image, a video or a canvas: BarcodeDetector where the
  // browser has it for QR codes, else the vendored jsQR.
  async function decoder() {
    if (window.BarcodeDetector && (await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
      const d = new BarcodeDetector({ formats: ["qr_code"] });
      return async src => { const r = await d.detect(src); return r.length ? r[0].rawValue : ""; };
    }
    const jsQR = await loadJsQR();
    const canvas = document.createElement("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });
    return async src => {
      const w = src.videoWidth || src.width, h = src.videoHeight || src.height;
      if (!w || !h) return "";
      canvas.width = w;
      canvas.height = h;
      ctx.drawImage(src, 0, 0, w, h);
      const code = jsQR(ctx.getImageData(0, 0, w, h).data, w, h);
      return code ? code.data : "";
    };
  }

  async function scanView() {
    const video = el("video", { id: "scanner-video", playsinline: "", muted: "", class: "scanner" });
    const status = el("p", { id: "scan-status", class: "hint" }, W.scan_hint);
    const photo = el("input", { type: "file", accept: "image/*", id: "scan-photo" });
    const result = el("div", { id: "scan-result" });
    show(el("h1", {}, W.scan_title), video, status, el("label", { for: "scan-photo" }, W.scan_photo), photo, result);
    const decode = await decoder();
    let done = false;
    const found = text => { if (!done && text) { done = true; stopAll(); handleCode(text, result); } };
    photo.addEventListener("change", async () => {
      const file = photo.files[0];
      if (!file) return;
      const text = await decode(await createImageBitmap(file)).catch(() => "");
      if (text) found(text); else status.textContent = W.scan_none;
    });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      status.textContent = W.scan_no_camera;
      return;
    }
    stops.push(() => stream.getTracks().forEach(t => t.stop()));
    video.srcObject = stream;
    await video.play().catch(() => {});
    const tick = setInterval(async () => { if (!done) found(await decode(video).catch(() => "")); }, 250);
    stops.push(() => clearInterval(tick));
  }

  // handleCode acts on what a QR code holds: a circle of this server is joined, a personal
  // code exchanges cards, anything else is shown as text and opened only if the person asks.
  function handleCode(text, out) {
    let u = null;
    try { u = new URL(text); } catch (e) { /* not a URL */ }
    if (u && u.origin === location.origin && /^\/c\/[^/]+$/.test(u.pathname)) {
      // A rotating projector code carries its slot token in the query: its page keeps it.
      if (u.search) { location.assign(u.href); return; }
      return joinCircle(u.origin + u.pathname, out).catch(e => out.replaceChildren(el("p", { class: "error", role: "alert" }, e.message)));
    }
    const face = u && u.origin === location.origin && u.pathname.match(/^\/u\/([\w-]+)$/);
    if (face) return exchange(face[1], out).catch(e => out.replaceChildren(el("p", { class: "error", role: "alert" }, e.message)));
    const again = el("a", { href: "/scan" }, W.scan_again);
    const link = u && /^https?:$/.test(u.protocol) ? el("p", {}, el("a", { href: u.href, rel: "noopener noreferrer", target: "_blank" }, W.scan_open)) : "";
    out.replaceChildren(el("p", {}, W.scan_text), el("pre", { class: "pre", id: "scan-text" }, text), link, el("p", {}, again));
  }

  // joinCircle joins through a scan session: the app's token exchanged for a token for this
  // one circle, holding the server's time of the scan.
  async function joinCircle(circleURL, out) {
    out.replaceChildren(el("p", { class: "notice" }, W.joining));
    const t = token() || await signIn();
    const scan = await tokenRequest({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: t,
      subject_token_type: "urn:ietf:params:oauth:token-type:access_token", audience: circleURL });
    const res = await fetch("/api/v1/circles/" + scan.circle_id + "/join", { method: "POST", headers: { Authorization: "Bearer " + scan.access_token } });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 200 && res.status !== 202) throw new Error(loc(body.detail) || W.join_refused);
    const circle = (await api("/circles/" + scan.circle_id)).body;
    const words = res.status === 200 ? W.joined_ok : W.join_waiting;
    out.replaceChildren(el("p", { class: "notice", id: "join-result", "data-status": res.status === 200 ? "joined" : "waiting" }, fmt(words, circle.title)),
      res.status === 200 ? el("p", {}, el("a", { href: "/app/circles/" + scan.circle_id }, W.members)) : "");
  }

  async function exchange(code, out) {
    const { status, body } = await api("/cards/exchange", { method: "POST", body: { code } });
    const words = status === 200 ? W.exchanged : W.exchange_waiting;
    out.replaceChildren(el("p", { class: "notice", id: "exchange-result", "data-status": body.status }, fmt(words, body.contact.display_name)),
      el("p", {}, el("a", { href: "/app/contacts" }, W.nav_contacts)));
  }

  // faceView is a personal QR code opened by a camera app: exchange only when asked.
  async function faceView(code) {
    const out = el("div", { id: "scan-result" });
    const go = el("button", { type: "button", id: "exchange-go" }, W.exchange);
    go.addEventListener("click", () => exchange(code, out).catch(e => out.replaceChildren(el("p", { class: "error", role: "alert" }, e.message))));
    show(el("h1", {}, W.exchange), el("p", {}, W.exchange_ask), go, out);
  }

  // --- routing --------------------------------------------------------------------------
  const routes = [
    [/^\/app\/?$/, circlesView, "circles"],
    [/^\/app\/circles\/(\d+)$/, circleView, "circles"],
    [/^\/app\/circles\/(\d+)\/members\/(\d+)$/, memberView, "circles"],
    [/^\/app\/me$/, meView, "me"],
    [/^\/app\/contacts$/, contactsView, "contacts"],
    [/^\/scan$/, scanView, "scan"],
    [/^\/u\/([\w-]+)$/, faceView, "scan"],
  ];
  const isAppPath = p => routes.some(r => r[0].test(p));
  function stopAll() { stops.forEach(f => f()); stops = []; }
  async function route() {
    stopAll();
    const r = routes.find(x => x[0].test(location.pathname));
    if (!r) { history.replaceState(null, "", "/app"); return route(); }
    document.querySelectorAll(".app-nav a").forEach(a => a.toggleAttribute("aria-current", a.dataset.nav === r[2]));
    try {
      await r[1](...location.pathname.match(r[0]).slice(1));
    } catch (e) {
      show(el("p", { class: "error", role: "alert" }, e.message || W.error));
    }
  }
  document.addEventListener("click", e => {
    const a = e.target.closest("a[href]");
    if (!a || a.origin !== location.origin || !isAppPath(a.pathname) || a.target) return;
    e.preventDefault();
    history.pushState(null, "", a.pathname);
    route();
  });
  window.addEventListener("popstate", route);

  // --- passkey offer, sign-out, service worker ----------------------------------------------
  async function offerPasskey() {
    const pk = window.qrcPasskey;
    if (!pk || !pk.supported || offline() || localStorage.getItem(LATER)) return;
    const res = await fetch("/passkeys", { credentials: "same-origin" });
    if (!res.ok || (await res.json()).passkeys.length) return;
    const box = document.getElementById("passkey-offer");
    box.hidden = false;
    document.getElementById("passkey-offer-later").onclick = () => { localStorage.setItem(LATER, "1"); box.hidden = true; };
    document.getElementById("passkey-offer-add").onclick = () => pk.register().then(
      () => box.replaceChildren(el("p", { class: "notice", id: "passkey-added" }, W.passkey_added)),
      e => box.append(el("p", { class: "error", role: "alert" }, pk.message(e, W.passkey_failed))));
  }
  // Signing out leaves nothing private behind: the token and every cache go first (the
  // server's answer clears the site's storage too).
  document.getElementById("app-sign-out").addEventListener("submit", e => {
    e.preventDefault();
    localStorage.removeItem(TOKEN);
    const form = e.target;
    (window.caches ? caches.keys().then(ks => Promise.all(ks.map(k => caches.delete(k)))) : Promise.resolve())
      .finally(() => form.submit());
  });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});

  (async () => {
    if (location.pathname === "/app/callback") await callback().catch(e => show(el("p", { class: "error" }, e.message)));
    await route();
    offerPasskey().catch(() => {});
  })();
})();
