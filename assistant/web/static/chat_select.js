// The chat transcript and sources: [n] markers, sources and related sentences fire `select`; the copy button.
const copyText = (text, button) => {
  const done = () => { button.textContent = 'Copied'; button.classList.add('copied');
    setTimeout(() => { button.textContent = 'Copy answer with citations'; button.classList.remove('copied'); }, 2000); };
  const fallback = () => { const t = document.createElement('textarea'); t.value = text;
    t.style.position = 'fixed'; t.style.opacity = '0'; document.body.appendChild(t); t.select();
    try { document.execCommand('copy'); done(); } finally { t.remove(); } };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
  else fallback();
};
element.addEventListener('click', (event) => {
  const copy = event.target.closest('[data-copy]');
  if (copy) { copyText(copy.dataset.copy, copy); return; }
  const b = event.target.closest('[data-cite]');
  if (!b) return;
  trigger('select', {index: [Number(b.dataset.turn), Number(b.dataset.cite)], value: b.dataset.kind});
});
watch('value', () => { const t = element.querySelector('.transcript'); if (t) t.scrollTop = t.scrollHeight; });
