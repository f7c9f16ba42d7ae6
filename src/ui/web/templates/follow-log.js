// Log boxes show their newest line: they open scrolled to the bottom and follow new lines, unless
// the reader scrolled up, and then stay put until the reader scrolls back down. Morphs, the
// selection and the filters all change the DOM, so any change is a moment to follow.
/* global document, Element, MutationObserver */
const away = new WeakSet();
const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 2;
document.addEventListener(
  'scroll',
  (e) => {
    const el = e.target;
    if (!(el instanceof Element) || !el.matches('pre.log') || el.clientHeight === 0) return;
    if (atBottom(el)) away.delete(el);
    else away.add(el);
  },
  true,
);
const follow = () => {
  for (const el of document.querySelectorAll('pre.log')) {
    // A hidden box has no height to scroll in; it is followed when its pane is shown.
    if (el.clientHeight > 0 && !away.has(el) && !atBottom(el)) el.scrollTop = el.scrollHeight;
  }
};
new MutationObserver(follow).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
follow();
