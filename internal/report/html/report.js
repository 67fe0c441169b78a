// stackdiff HTML report: the group filter, expand/collapse, and opening a
// group reached from the chart. Without JavaScript the report still reads
// in full; the filter form just stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) {
    return;
  }
  var text = document.getElementById("filter-text");
  var label = document.getElementById("filter-label");
  var status = document.getElementById("filter-status");
  var empty = document.getElementById("filter-empty");
  var boxes = form.querySelectorAll("input[name=verdict]");
  var groups = document.querySelectorAll("details.group");

  function apply() {
    var q = text.value.trim().toLowerCase();
    var want = {};
    boxes.forEach(function (b) {
      want[b.value] = b.checked;
    });
    var shown = 0;
    groups.forEach(function (g) {
      var ok = want[g.getAttribute("data-verdict")] === true &&
        (label.value === "" || g.getAttribute("data-label") === label.value) &&
        (q === "" || g.textContent.toLowerCase().indexOf(q) >= 0);
      g.hidden = !ok;
      if (ok) {
        shown++;
      }
    });
    status.textContent = shown === groups.length ?
      groups.length + (groups.length === 1 ? " group" : " groups") :
      shown + " of " + groups.length + " groups shown";
    empty.hidden = shown !== 0 || groups.length === 0;
  }

  function setOpen(open) {
    groups.forEach(function (g) {
      if (!g.hidden) {
        g.open = open;
      }
    });
  }

  // A chart row links to its group: open it, even if filtered out.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var g = id && document.getElementById(id);
    if (g && g.tagName === "DETAILS") {
      g.hidden = false;
      g.open = true;
    }
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    setOpen(true);
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    setOpen(false);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== text && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      text.focus();
    } else if (e.key === "Escape" && document.activeElement === text) {
      text.value = "";
      apply();
    }
  });
  window.addEventListener("hashchange", openTarget);

  form.hidden = false;
  apply();
  openTarget();
})();
