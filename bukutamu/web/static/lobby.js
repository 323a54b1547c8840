// Lobby screen: polls /antrian/data (its URL from the page: offices live under /<slug>), shows served and waiting numbers (masked names),
// and calls a number aloud in Indonesian (browser speech synthesis) when the helpdesk
// presses "Panggil". Browsers allow speech only after one click: "Aktifkan suara".
(function () {
  "use strict";
  var lastCall = null, first = true, voiceOn = false;
  function el(id) { return document.getElementById(id); }
  function fill(list, items) {
    list.textContent = "";
    items.forEach(function (x) {
      var li = document.createElement("li");
      var q = document.createElement("span"); q.className = "q"; q.textContent = x.antrian;
      var n = document.createElement("span"); n.className = "n"; n.textContent = x.nama;
      li.appendChild(q); li.appendChild(n); list.appendChild(li);
    });
    if (!items.length) {
      var li = document.createElement("li"); li.className = "empty"; li.textContent = "–"; list.appendChild(li);
    }
  }
  function spoken(queue) {
    return "Nomor antrian " + queue + ", silakan menuju meja helpdesk";
  }
  function say(text) {
    if (!voiceOn || !("speechSynthesis" in window)) { return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "id-ID"; u.rate = 0.9;
    var voices = window.speechSynthesis.getVoices().filter(function (v) { return /^id/i.test(v.lang); });
    if (voices.length) { u.voice = voices[0]; }
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(u);
  }
  function show(call) {
    var box = el("dipanggil");
    box.hidden = false;
    el("nomor-dipanggil").textContent = call.antrian;
    box.setAttribute("data-spoken", spoken(call.antrian));
  }
  function tick() {
    fetch(el("layar").getAttribute("data-url"), {cache: "no-store", credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        fill(el("dilayani"), d.serving); fill(el("menunggu"), d.waiting);
        el("jam").textContent = d.waktu;
        if (d.call) {
          if (lastCall !== d.call.id) {
            show(d.call);
            if (!first) { say(spoken(d.call.antrian)); }
          }
          lastCall = d.call.id;
        }
        first = false;
      })
      .catch(function () { /* network hiccup: try again on the next tick */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var b = el("aktifkan-suara");
    b.addEventListener("click", function () {
      voiceOn = true; b.textContent = "Suara aktif"; b.disabled = true;
      say("Suara panggilan aktif");
    });
    tick();
    setInterval(tick, 3000);
  });
})();
