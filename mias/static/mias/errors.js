// After a failed submit, the error summary at the top of the page takes the focus, so that
// keyboard and screen-reader users hear what went wrong and sighted users see it at once.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
  summary.scrollIntoView({ block: "start" });
});
