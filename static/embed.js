// embed.js is the "Join with QR Circles" button for partner pages. A page adds one tag where
// the button should be:
//
//   <script src="https://circles.example/embed.js" data-client-id="c_…" data-circle="AbC123" async></script>
//
// data-circle is the circle's code or its URL; data-lang ("en" or "zh-Hans") picks the words,
// otherwise the page's or the browser's language does. The button opens the circle in a popup
// on the server the script came from; the person signs in and joins there, and the popup
// reports the result to this page with postMessage, addressed to the origin the client
// registered. The button then says the result and fires a "qrcircles:join" event (it
// bubbles) whose detail is the message:
//
//   {type: "qrcircles:join", status: "joined" | "waiting" | "refused" | "cancelled" | "blocked",
//    circle: {code, title, url}, reasons: [...]}
//
// "cancelled" means the popup was closed before a result, "blocked" that the browser did not
// open it. The message never says who the person is.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.URL || !window.postMessage) {
    return;
  }
  var server = new URL(script.src, location.href).origin;
  var clientID = script.getAttribute('data-client-id') || '';
  var circle = script.getAttribute('data-circle') || '';
  var lang = script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en';
  var words = /^zh/i.test(lang) ? {
    join: '用二维码好友圈加入', opening: '请在弹出窗口中完成加入…', joined: '已加入二维码好友圈 ✓',
    waiting: '已申请，等待组织者审核', refused: '未能加入', blocked: '请允许弹出窗口后重试'
  } : {
    join: 'Join with QR Circles', opening: 'Finish joining in the popup…', joined: 'Joined on QR Circles ✓',
    waiting: 'Asked to join: waiting for review', refused: 'Not joined', blocked: 'Allow popups, then try again'
  };

  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'qrcircles-join';
  button.textContent = words.join;
  button.style.cssText = 'font:600 16px/1.4 system-ui,sans-serif;padding:.6em 1.1em;border:0;border-radius:.4em;' +
    'background:#0a66c2;color:#fff;cursor:pointer;max-width:100%';
  script.parentNode.insertBefore(button, script.nextSibling);

  var popup = null, watch = 0;

  function report(detail) {
    window.clearInterval(watch);
    popup = null;
    button.setAttribute('data-status', detail.status);
    button.textContent = words[detail.status] || words.join;
    button.disabled = detail.status === 'joined' || detail.status === 'waiting';
    button.style.cursor = button.disabled ? 'default' : 'pointer';
    var ev;
    try {
      ev = new CustomEvent('qrcircles:join', {detail: detail, bubbles: true});
    } catch (e) { // very old browsers
      ev = document.createEvent('CustomEvent');
      ev.initCustomEvent('qrcircles:join', true, false, detail);
    }
    button.dispatchEvent(ev);
  }

  // Only the popup this button opened, on the QR Circles server, is listened to.
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!popup || e.source !== popup || e.origin !== server || !d || d.type !== 'qrcircles:join') {
      return;
    }
    report(d);
  });

  button.addEventListener('click', function () {
    if (popup && !popup.closed) {
      popup.focus();
      return;
    }
    var q = 'client_id=' + encodeURIComponent(clientID) + '&circle=' + encodeURIComponent(circle) +
      '&origin=' + encodeURIComponent(location.origin);
    var w = 440, h = 680;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || w) - w) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || h) - h) / 2);
    // An unnamed window: a named one could be an older popup, still open, of another page.
    popup = window.open(server + '/embed/join?' + q, '',
      'popup,width=' + w + ',height=' + h + ',left=' + left + ',top=' + top);
    if (!popup) {
      report({type: 'qrcircles:join', status: 'blocked', circle: {code: circle}, reasons: []});
      return;
    }
    button.textContent = words.opening;
    watch = window.setInterval(function () {
      if (popup && popup.closed) {
        report({type: 'qrcircles:join', status: 'cancelled', circle: {code: circle}, reasons: []});
      }
    }, 500);
  });
})();
