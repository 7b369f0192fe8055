// Ranking page: drag, or the arrow buttons, reorder the list; each change is saved at once.
(function () {
  "use strict";
  var form = document.getElementById("ranking-form");
  var list = document.getElementById("ranking");
  if (!form || !list) return;
  var status = document.getElementById("ranking-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dragged = null;
  var before = "";

  function order() { return items().map(function (li) { return li.dataset.pk; }).join(","); }

  function items() { return Array.prototype.slice.call(list.querySelectorAll(".ranking-item")); }

  function renumber() {
    items().forEach(function (li, i) { li.querySelector(".rank-input").value = i + 1; });
  }

  function save() {
    renumber();
    status.textContent = form.dataset.saving;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("order", order());
    fetch(window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      status.textContent = data.message;
      var badge = document.getElementById("ranked-badge");
      if (data.ok && badge) { badge.className = "badge text-bg-success"; badge.textContent = data.message; }
    }).catch(function () { status.textContent = form.dataset.failed; });
  }

  // Screen readers hear where the commission went: "“…” is now number 2 of 10."
  function announce(li) {
    var all = items();
    var region = document.getElementById("ranking-announce");
    if (!region) return;
    region.textContent = form.dataset.moved
      .replace("{title}", li.querySelector("h2").textContent.trim())
      .replace("{rank}", all.indexOf(li) + 1)
      .replace("{total}", all.length);
  }

  function move(li, delta) {
    var all = items();
    var i = all.indexOf(li) + delta;
    if (i < 0 || i >= all.length) return;
    if (delta < 0) list.insertBefore(li, all[i]); else list.insertBefore(li, all[i].nextSibling);
    save();
    li.querySelector(delta < 0 ? ".move-up" : ".move-down").focus();
    announce(li);
  }

  items().forEach(function (li) {
    li.querySelector(".js-only").hidden = false;
    li.querySelector(".move-up").addEventListener("click", function () { move(li, -1); });
    li.querySelector(".move-down").addEventListener("click", function () { move(li, 1); });
    li.addEventListener("dragstart", function (e) {
      dragged = li; before = order(); li.classList.add("opacity-50");
      e.dataTransfer.effectAllowed = "move";
    });
    // Saved when the drag ends, wherever the pointer is released.
    li.addEventListener("dragend", function () {
      li.classList.remove("opacity-50"); dragged = null;
      if (order() !== before) save();
    });
    li.addEventListener("dragover", function (e) {
      if (!dragged) return;
      e.preventDefault(); // the moved card itself sits under the pointer: it must accept too
      if (dragged === li) return;
      var box = li.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? li.nextSibling : li);
    });
    li.addEventListener("drop", function (e) { e.preventDefault(); });
  });
})();
