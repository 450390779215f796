// Fill the invitation code from the link's fragment (#code=...), which browsers never send to
// the server, so the code does not reach any access log; then drop it from the address bar.
(function () {
  var match = /(?:^#|&)code=([A-Za-z0-9-]{4,40})/.exec(window.location.hash);
  var field = document.getElementById("code");
  if (!match || !field) { return; }
  if (!field.value) { field.value = match[1]; }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
})();
