// Passkeys (WebAuthn): sign in with one on the sign-in page, add one on the account page and
// in the app. The server keeps the challenge; this only carries it to the browser and back.
(function () {
  "use strict";

  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(s + "===".slice((s.length + 3) % 4));
    return Uint8Array.from(bin, c => c.charCodeAt(0)).buffer;
  }
  function bufToB64u(b) {
    let bin = "";
    new Uint8Array(b).forEach(x => { bin += String.fromCharCode(x); });
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    const el = document.querySelector('input[name="csrf"]') || document.querySelector("[data-csrf]");
    return el ? (el.value || el.dataset.csrf) : "";
  }
  // ServerError is the server's answer, written in the page's language.
  class ServerError extends Error {}

  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ServerError(data.detail || data.title || res.statusText);
    return data;
  }
  function descriptors(list) {
    return (list || []).map(d => Object.assign({}, d, { id: b64uToBuf(d.id) }));
  }
  function credentialJSON(cred) {
    const r = cred.response, out = { id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type, response: {
      clientDataJSON: bufToB64u(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64u(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = bufToB64u(r.authenticatorData);
      out.response.signature = bufToB64u(r.signature);
      if (r.userHandle) out.response.userHandle = bufToB64u(r.userHandle);
    }
    out.clientExtensionResults = cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
    return out;
  }

  // register adds a passkey to the signed-in account.
  async function register() {
    const opts = (await post("/passkeys/register/begin")).publicKey;
    opts.challenge = b64uToBuf(opts.challenge);
    opts.user.id = b64uToBuf(opts.user.id);
    opts.excludeCredentials = descriptors(opts.excludeCredentials);
    const cred = await navigator.credentials.create({ publicKey: opts });
    return post("/passkeys/register/finish", credentialJSON(cred));
  }

  // signIn signs in with any passkey of this site and returns where to go next.
  async function signIn(returnTo) {
    const opts = (await post("/login/passkey/begin")).publicKey;
    opts.challenge = b64uToBuf(opts.challenge);
    opts.allowCredentials = descriptors(opts.allowCredentials);
    const cred = await navigator.credentials.get({ publicKey: opts });
    const done = await post("/login/passkey/finish?return_to=" + encodeURIComponent(returnTo || "/"), credentialJSON(cred));
    return done.redirect;
  }

  // message is what to show of e: the server writes in the page's language, the browser's own
  // errors (a cancelled prompt) are in the browser's, so the page's sentence stands for them.
  function message(e, failed) {
    return e instanceof ServerError ? e.message : failed;
  }
  function showError(e) {
    const el = document.getElementById("passkey-error");
    if (!el) return;
    el.textContent = message(e, el.dataset.failed);
    el.hidden = false;
  }

  const supported = !!(window.PublicKeyCredential && navigator.credentials);
  window.qrcPasskey = { supported, register, signIn, message };
  if (!supported) return;

  const login = document.getElementById("passkey-login");
  if (login) {
    login.hidden = false;
    const btn = document.getElementById("passkey-signin");
    btn.addEventListener("click", () => {
      signIn(btn.dataset.returnTo).then(next => { location.assign(next); }, showError);
    });
  }
  const add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("click", () => { register().then(() => location.reload(), showError); });
  }
})();
