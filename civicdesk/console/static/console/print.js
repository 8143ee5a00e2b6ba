// Pages meant for paper (console.css: console-print, console-no-print). The console layout loads
// this on every page, from our own static files: one copy, and no inline script for the strict
// Content Security Policy to allow.

// Every Print button prints the page.
for (const button of document.querySelectorAll("[data-console-print]")) {
  button.addEventListener("click", () => window.print())
}

// Details marked to be printed open (an indicator's formula) are opened for the printer and
// closed again afterwards, so the page on screen stays as the reader left it.
let openedForPrinting = []
window.addEventListener("beforeprint", () => {
  openedForPrinting = [...document.querySelectorAll("details[data-console-print-open]:not([open])")]
  openedForPrinting.forEach((details) => { details.open = true })
})
window.addEventListener("afterprint", () => {
  openedForPrinting.forEach((details) => { details.open = false })
  openedForPrinting = []
})
