// Behaviour lives here, not inline, so the Content-Security-Policy can forbid inline script.
document.querySelectorAll("[data-confirm]").forEach((el) => {
  el.addEventListener("click", (event) => {
    if (!window.confirm(el.dataset.confirm)) event.preventDefault();
  });
});

// A copy button next to a read-only field: copies its text and says so (no inline script).
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  button.addEventListener("click", () => {
    const field = document.getElementById(button.dataset.copyTarget);
    const done = () => {
      button.textContent = button.dataset.copiedText || "Copied";
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, () => field.select());
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
});
