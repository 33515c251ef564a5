// chamdiem — the little script the pages use (everything works without it too).
// 1. Forms marked data-confirm ask before they are sent (locking a period, …).
// 2. A running job's page asks for the job's state every second and updates the progress
//    in place (without it, the page reloads itself through its meta refresh).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  var box = document.querySelector("[data-job][data-active='yes']");
  if (!box || !window.fetch) {
    return;
  }
  var refresh = document.querySelector("meta[http-equiv='refresh']");
  if (refresh) {
    refresh.parentNode.removeChild(refresh);
  }
  var id = box.getAttribute("data-job");
  var stage = document.getElementById("job-stage");
  var bar = box.querySelector(".progress-bar");
  function poll() {
    fetch("/cong-viec/" + encodeURIComponent(id) + "/trang-thai", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job || job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        if (stage) { stage.textContent = job.stage + "…"; }
        if (bar) { bar.className = "progress-bar w" + (Math.floor(job.percent / 5) * 5); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 700);
})();
