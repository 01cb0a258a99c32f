// Progressive enhancement only: every page works without this file.
// On the complaint and lead forms, show the channel-specific section for the chosen channel.
(function () {
  var select = document.querySelector('[data-channel]');
  if (!select) return;
  var sections = document.querySelectorAll('[data-for-channel]');
  function update() {
    sections.forEach(function (s) {
      var hasError = s.querySelector('.field-error') !== null;
      var wanted = s.getAttribute('data-for-channel').split(' ').indexOf(select.value) >= 0;
      s.hidden = !(wanted || hasError);
    });
  }
  select.addEventListener('change', update);
  update();
})();
// Printable documents: the print button.
(function () {
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
})();
