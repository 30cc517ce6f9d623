/* Tooltips show text, never markup (no dependencies; loaded before the theme's bundle).
   Material's tooltips (content.tooltips) read an element's title through `el.title` and put it
   into the tooltip with `innerHTML +=`. Its ellipsis patch also titles every truncated label
   (table of contents, navigation, the page title in the header) with the label's text, so a
   heading that shows "<img onerror=…>" as text became an element when the reader hovered its
   entry in the table of contents. Here `el.title` reads with full-width ＜ ＞ in place of < and >
   (as safety.plain_text does on the server); the attribute itself, and the browser's own
   tooltip, are unchanged. */
(function () {
  "use strict";
  var title = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "title");
  if (!title || !title.get || !title.set) { return; }
  Object.defineProperty(HTMLElement.prototype, "title", {
    configurable: true,
    enumerable: title.enumerable,
    get: function () { return title.get.call(this).replace(/</g, "＜").replace(/>/g, "＞"); },
    set: title.set
  });
})();
