// The pages' only script (served by wiretrace as /static/wiretrace.js: the
// Content-Security-Policy allows no inline script).
// Hovering a passage lights up every piece of it (both sides of a comparison).
document.addEventListener("mouseover", function (e) {
  var t = e.target.closest("[data-passage]");
  document.querySelectorAll(".seg.hot").forEach(function (n) { n.classList.remove("hot"); });
  if (!t) return;
  document.querySelectorAll('[data-passage="' + t.dataset.passage + '"]').forEach(function (n) {
    n.classList.add("hot");
  });
});
