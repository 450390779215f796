// Save and resume on the same device (この端末で続きから回答): the signed answer sheet of the
// page is kept in this browser's localStorage only, never on the server, and is removed once
// the answers are sent. Without JavaScript everything works; only resuming is unavailable.
(function () {
  var root = document.querySelector("[data-survey]");
  if (!root || !window.localStorage) { return; }
  var key = "machiwb-sheet-" + root.getAttribute("data-survey");
  var mode = root.getAttribute("data-resume");
  try {
    if (mode === "save") {
      var sheet = root.querySelector("input[name=sheet]");
      if (sheet) {
        window.localStorage.setItem(key, JSON.stringify({ sheet: sheet.value, page: root.getAttribute("data-page") }));
      }
    } else if (mode === "offer") {
      var saved = JSON.parse(window.localStorage.getItem(key) || "null");
      var offer = document.getElementById("resume");
      if (saved && saved.sheet && offer) {
        offer.querySelector("input[name=sheet]").value = saved.sheet;
        offer.querySelector("button[name=nav]").value = "goto-" + (parseInt(saved.page, 10) || 0);
        offer.hidden = false;
      }
    } else if (mode === "done") {
      window.localStorage.removeItem(key);
    }
  } catch (error) {
    // storage full or blocked: answering still works without resuming
  }
})();
