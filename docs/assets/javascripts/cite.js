/* 引用本案例: show today's date as the access date and add a copy button (no dependencies).
   Without JavaScript the reference stays plain text with the build date. */
(function () {
  "use strict";
  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }
  function init() {
    var cites = document.querySelectorAll(".case-cite");
    Array.prototype.forEach.call(cites, function (cite) {
      if (cite.querySelector(".case-cite-copy")) { return; }
      var accessed = cite.querySelector(".cite-accessed");
      if (accessed) { accessed.textContent = today(); }
      var text = cite.textContent;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button case-cite-copy";
      button.textContent = "复制引用";
      button.addEventListener("click", function () {
        copyText(text).then(function () {
          button.textContent = "已复制";
        }, function () {
          button.textContent = "复制失败，请手动选择文字复制";
        });
        window.setTimeout(function () { button.textContent = "复制引用"; }, 3000);
      });
      cite.insertAdjacentElement("afterend", button);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
