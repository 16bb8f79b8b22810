// inplace.js sends the forms marked data-inplace without leaving the page. Such a form names,
// in its hidden field "form", the element that shows its answer (the form itself, or the list
// it belongs to); the server's page after the form (the redirect back, or the page again with
// the error) has that element with the answer in it, and it replaces the one on this page. The
// navigation's badge follows. The page does not move: the answer is where the person looks.
// Without this script the same forms post, and the browser comes back to the element.
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var badges = ['nav-requests'];

  // swap replaces the element of the id with its copy in doc, or removes it when doc has none.
  function swap(doc, id) {
    var old = document.getElementById(id), fresh = doc.getElementById(id);
    if (old && fresh) {
      old.replaceWith(document.importNode(fresh, true));
    } else if (old) {
      old.remove();
    }
  }

  function body(form) {
    var data = new FormData(form);
    return form.enctype === 'multipart/form-data' ? data : new URLSearchParams(data);
  }

  function send(form, part) {
    form.setAttribute('aria-busy', 'true');
    fetch(form.action, { method: 'POST', body: body(form), credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        res.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          if (!doc.getElementById(part)) { // the answer is another page (signed out, gone)
            location.assign(res.redirected ? res.url : location.href);
            return;
          }
          swap(doc, part);
          badges.forEach(function (id) { swap(doc, id); });
          var said = document.querySelector('#' + CSS.escape(part) + ' .answer');
          if (said) {
            said.setAttribute('tabindex', '-1');
            said.focus({ preventScroll: true });
            said.scrollIntoView({ block: 'nearest' }); // at most the answer's height, when the form was at the screen's edge
          }
        });
      }, function () {
        form.submit(); // the request did not go out: let the browser send it and show what happens
      });
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var field = form.querySelector && form.querySelector('input[name="form"]');
    if (!form.hasAttribute('data-inplace') || !field || !field.value) {
      return;
    }
    ev.preventDefault();
    send(form, field.value);
  });
})();
