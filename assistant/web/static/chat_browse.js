// The article browser: clicking an article of the list opens it.
element.addEventListener('click', (event) => {
  const b = event.target.closest('[data-article]');
  if (!b) return;
  element.querySelectorAll('.article-row.selected').forEach((x) => x.classList.remove('selected'));
  b.classList.add('selected');
  trigger('select', {index: 0, value: b.dataset.article});
});
