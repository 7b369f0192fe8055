// Roster upload with a progress bar: post the form through XMLHttpRequest, fill the
// <progress>, then follow the server's redirect. Without this script the form posts as usual.
document.querySelectorAll("form[data-upload-progress]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    const input = form.querySelector("input[type=file]");
    if (!window.FormData || !input || !input.files.length) return;
    event.preventDefault();
    const box = form.querySelector("[data-progress-box]");
    const bar = box.querySelector("progress");
    const error = form.querySelector("[data-progress-error]");
    const button = form.querySelector("button[type=submit]");
    const fail = (message) => {
      error.textContent = message;
      error.classList.remove("d-none");
      box.classList.add("d-none");
      button.disabled = false;
    };
    if (input.files[0].size > Number(form.dataset.maxBytes)) return fail(form.dataset.tooLarge);
    error.classList.add("d-none");
    box.classList.remove("d-none");
    bar.value = 0;
    button.disabled = true;
    const xhr = new XMLHttpRequest();
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.addEventListener("load", () => {
      // Redirected to the report: go there. Anything else: let the browser post and show it.
      if (xhr.responseURL && xhr.responseURL !== form.action) window.location.assign(xhr.responseURL);
      else form.submit();
    });
    xhr.addEventListener("error", () => fail(form.dataset.failed));
    xhr.open("POST", form.action);
    xhr.send(new FormData(form));
  });
});
