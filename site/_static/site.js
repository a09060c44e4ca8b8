// The page's contents ("On this page") behind the article header's button. The theme opens them from the
// button of the top header only, which sphinx-book-theme hides, so the visible button presses that one.
document.addEventListener("DOMContentLoaded", () => {
  const [header, article] = document.querySelectorAll("button.secondary-toggle");
  if (!header || !article) return;
  article.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    header.click();
  });
});

// A table still wider than the text column (a tablet, a narrow window) shows its rows as cards, as on a
// phone (site.css), rather than hiding columns past the right edge. Measured again when the window changes.
function fitTables() {
  for (const table of document.querySelectorAll("table.stacked")) {
    table.classList.remove("as-cards");
    if (table.scrollWidth > table.clientWidth + 1) table.classList.add("as-cards");
  }
}
window.addEventListener("load", fitTables);
let fitTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(fitTimer);
  fitTimer = setTimeout(fitTables, 150);
});

// A chart is drawn at twice its pixels; on a phone it is shrunk to the screen's width, so each chart links
// to its image file, which the browser opens at full size for zooming.
document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll("article .cell_output img")) {
    if (img.closest("a")) continue;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.title = "Open the chart at full size";
    img.replaceWith(link);
    link.appendChild(img);
  }
});
