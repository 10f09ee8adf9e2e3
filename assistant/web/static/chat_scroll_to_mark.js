// The article view: scroll the highlighted (cited) sentence into view, below the article's header when that header
// stays on top (sticky): placed a third of the way down the whole box, a tall header (a long title, a narrow screen)
// covered it.
watch('value', () => {
  const m = element.querySelector('mark');
  if (!m) return;
  let box = m.parentElement;
  while (box && box !== document.body && !(box.scrollHeight > box.clientHeight + 2
         && ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (!box || box === document.body) { m.scrollIntoView({block: 'center'}); return; }
  const head = box.querySelector('.article-head');
  const cover = head && getComputedStyle(head).position === 'sticky' ? head.getBoundingClientRect().height : 0;
  const offset = m.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += offset - cover - (box.clientHeight - cover) / 3;
});
