// "Copy" buttons: <button data-copy="id-of-an-input"> copies the input's value and says so
// in the button's live region. Without the script, the address stays selectable in its input.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  function done(ok) {
    if (status) status.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-failed");
  }
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(document.execCommand("copy")); });
  } else {
    done(document.execCommand("copy"));
  }
});
