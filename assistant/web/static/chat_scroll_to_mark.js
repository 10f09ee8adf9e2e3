// The article view: scroll the highlighted (cited) sentence into view.
watch('value', () => {
  const m = element.querySelector('mark');
  if (!m) return;
  let box = m.parentElement;
  while (box && box !== document.body && !(box.scrollHeight > box.clientHeight + 2
         && ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (!box || box === document.body) { m.scrollIntoView({block: 'center'}); return; }
  const offset = m.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += offset - box.clientHeight / 3;
});
