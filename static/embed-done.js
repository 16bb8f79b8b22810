// embed-done.js runs on the last page of a join that the "Join with QR Circles" button
// (embed.js) opened: it hands the result to the page that opened the popup, addressed only to
// the origin the partner registered, so a page of any other origin receives nothing.
(function () {
  'use strict';
  var el = document.getElementById('embed-result');
  if (!el || !window.opener) {
    return;
  }
  var origin = el.getAttribute('data-origin');
  var message;
  try {
    message = JSON.parse(el.getAttribute('data-result'));
  } catch (e) {
    return;
  }
  window.opener.postMessage(message, origin);
  el.setAttribute('data-posted', 'true');
  var close = document.getElementById('embed-close');
  if (close) {
    close.hidden = false;
    close.addEventListener('click', function () { window.close(); });
  }
})();
