// Status buttons that need a second thought (Cancel) ask before they post.
document.querySelectorAll("form.status-action[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
