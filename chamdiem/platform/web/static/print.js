// A button that prints the page (codes.html): the CSP forbids inline handlers.
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});
