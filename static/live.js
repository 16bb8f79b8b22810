// live.js keeps a page current without a reload. A page opts in with an element carrying
// data-live-events (the event types that change it) and data-live-circle (the circle those
// events must be about). On such an event the page is fetched again and each element marked
// data-live-part is replaced by its fresh copy (same id): what shows is always what the
// server renders for this viewer, with their visibility. When the fetch lands on another page
// (a waiting applicant was admitted) or fails, the browser goes there. A reset (the stream
// could not replay all that was missed while the connection was down: the server keeps 25
// hours) refreshes the page whatever it is about. A page whose content changes with time
// (the projector's rotating code) adds data-live-next and data-live-every: milliseconds to
// the first refresh, then between refreshes. Without this script the pages work as plain
// HTML.
(function () {
  'use strict';
  var root = document.querySelector('[data-live-events]');
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var circle = root.getAttribute('data-live-circle') || '';
  var busy = false, again = false, timer = 0;

  // concerns: an event about another circle leaves the page as it is. A card.updated for
  // a contact (circle 0) may change a card shown here.
  function concerns(ev) {
    var data;
    try {
      data = JSON.parse(ev.data || '{}');
    } catch (e) {
      return false;
    }
    var id = data && data.circle_id;
    return !circle || !id || String(id) === circle;
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, 'text/html');
    var parts = document.querySelectorAll('[data-live-part]');
    for (var i = 0; i < parts.length; i++) {
      var next = fresh.getElementById(parts[i].id);
      if (next) {
        parts[i].replaceWith(document.importNode(next, true));
      }
    }
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok || new URL(res.url).pathname !== location.pathname) {
          location.assign(res.url);
          return null;
        }
        return res.text().then(swap);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150); // one fetch for a burst of events
  }

  function onEvent(ev) {
    if (concerns(ev)) {
      soon();
    }
  }

  var source = new EventSource('/api/v1/events');
  root.getAttribute('data-live-events').split(/\s+/).forEach(function (type) {
    if (type) {
      source.addEventListener(type, onEvent);
    }
  });
  source.addEventListener('reset', soon);
  var next = Number(root.getAttribute('data-live-next')), every = Number(root.getAttribute('data-live-every'));
  if (every > 0) {
    setTimeout(function () {
      refresh();
      setInterval(refresh, every);
    }, next > 0 ? next : every);
  }
  window.addEventListener('pagehide', function () { source.close(); });
})();
