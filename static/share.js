// share.js gives a link field its Copy and Share buttons: an element with data-share-for
// (the id of a readonly input holding the link) holds a [data-copy] and a [data-share]
// button, hidden until this script shows the ones the browser can do. Share uses the Web
// Share API and falls back to copying. Without the script the field is there to copy by hand.
(function () {
  'use strict';
  var box = document.querySelector('[data-share-for]');
  if (!box) {
    return;
  }
  var field = document.getElementById(box.getAttribute('data-share-for'));
  var copyBtn = box.querySelector('[data-copy]');
  var shareBtn = box.querySelector('[data-share]');
  if (!field) {
    return;
  }

  function copy() {
    var done = function () { copyBtn.textContent = box.getAttribute('data-copied'); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      return;
    }
    field.select();
    if (document.execCommand && document.execCommand('copy')) {
      done();
    }
  }

  copyBtn.hidden = false;
  copyBtn.addEventListener('click', copy);
  if (navigator.share) {
    shareBtn.hidden = false;
    shareBtn.addEventListener('click', function () {
      navigator.share({ title: box.getAttribute('data-share-title') || document.title, url: field.value })
        .catch(function (e) {
          if (!e || e.name !== 'AbortError') {
            copy();
          }
        });
    });
  }
})();
