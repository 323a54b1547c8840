// bukutamu: small progressive enhancements. No inline script anywhere (CSP).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
  // Board: no self-refresh while the keyboard focus is inside the table (the clerk is
  // tabbing through the buttons); the next tick after focus leaves refreshes it.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var table = document.getElementById("tabel");
    if (table && e.detail.elt === table && table.contains(document.activeElement)) { e.preventDefault(); }
  });
  // Ticket: print at 58 or 80 mm.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () {
      document.body.classList.remove("print-58", "print-80");
      document.body.classList.add("print-" + b.getAttribute("data-print"));
      window.print();
    });
  });
  // Ticket: back to the empty form after a while (kiosk).
  var back = document.querySelector("[data-autoreturn]");
  if (back) {
    setTimeout(function () { window.location.href = back.getAttribute("href"); },
      1000 * parseInt(back.getAttribute("data-autoreturn"), 10));
  }
  // Board: "/" focuses the search field.
  var search = document.getElementById("cari");
  if (search) {
    document.addEventListener("keydown", function (e) {
      var t = e.target.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT") {
        e.preventDefault(); search.focus(); search.select();
      }
    });
  }
})();
