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
// HTML. A page with data-live-seen refreshes only while it is seen (see onlySeen).
// An element with data-live-src as well (the navigation's unread badge, on every page of a
// signed-in person) is refreshed on its own events from that address alone: only it is
// replaced, and the page is never left. The layout loads this script on every such page, and
// some pages load it too: it runs once, on one event stream.
(function () {
  'use strict';
  if (window.qrcLive || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  window.qrcLive = true;
  var root = document.querySelector('[data-live-events]:not([data-live-src])');
  var badges = document.querySelectorAll('[data-live-events][data-live-src]');
  if (!root && !badges.length) {
    return;
  }
  var circle = root ? root.getAttribute('data-live-circle') || '' : '';
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

  function parse(html) {
    return new DOMParser().parseFromString(html, 'text/html');
  }

  function replace(el, fresh) {
    var next = fresh.getElementById(el.id);
    if (next) {
      el.replaceWith(document.importNode(next, true));
    }
  }

  function swap(html) {
    var fresh = parse(html);
    var parts = document.querySelectorAll('[data-live-part]');
    for (var i = 0; i < parts.length; i++) {
      replace(parts[i], fresh);
    }
  }

  // refreshBadge replaces the element of id from its own address; a failure leaves it as it is.
  function refreshBadge(id) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    fetch(el.getAttribute('data-live-src'), { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        var now = document.getElementById(id);
        if (html && now) {
          replace(now, parse(html));
        }
      })
      .catch(function () {});
  }

  // A page that marks what it shows as read (a thread) refreshes only while it is seen: a
  // message that came while its tab was hidden stays unread until the tab is looked at.
  var onlySeen = root && root.hasAttribute('data-live-seen'), unseen = false;
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && unseen) {
      unseen = false;
      refresh();
    }
  });

  function refresh() {
    if (onlySeen && document.hidden) {
      unseen = true;
      return;
    }
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

  var badgeTimers = {};
  function badgeSoon(id) {
    clearTimeout(badgeTimers[id]);
    badgeTimers[id] = setTimeout(function () { refreshBadge(id); }, 150); // one fetch for a burst
  }

  function types(el) {
    return el.getAttribute('data-live-events').split(/\s+/).filter(Boolean);
  }

  var source = new EventSource('/api/v1/events');
  var pageTypes = root ? types(root) : [];
  pageTypes.forEach(function (type) {
    source.addEventListener(type, function (ev) {
      if (concerns(ev)) {
        soon();
      }
    });
  });
  // A badge follows its events by itself, unless the page refreshes on them anyway (the
  // refresh replaces the badge too).
  Array.prototype.forEach.call(badges, function (badge) {
    types(badge).forEach(function (type) {
      if (pageTypes.indexOf(type) < 0) {
        source.addEventListener(type, function () { badgeSoon(badge.id); });
      }
    });
  });
  source.addEventListener('reset', function () {
    if (root) {
      soon();
    } else {
      Array.prototype.forEach.call(badges, function (badge) { badgeSoon(badge.id); });
    }
  });
  var next = root ? Number(root.getAttribute('data-live-next')) : 0, every = root ? Number(root.getAttribute('data-live-every')) : 0;
  if (every > 0) {
    setTimeout(function () {
      refresh();
      setInterval(refresh, every);
    }, next > 0 ? next : every);
  }
  window.addEventListener('pagehide', function () { source.close(); });
})();
