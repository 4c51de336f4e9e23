// The progress bar of a run: poll GET /api/runs/{run} every half second, reload when it ends.
(function () {
  var section = document.getElementById("progress");
  if (!section) return;
  var bar = section.querySelector("progress");
  var url = "/api/runs/" + encodeURIComponent(section.dataset.run);
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (run.status === "queued" || run.status === "running") {
          bar.value = run.progress;
          setTimeout(poll, 500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
