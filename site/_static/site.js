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
