// Places kept in the navigation for screens that later versions fill (sync, report, print).

import { el, clear } from '../dom.js';

export function render(view, title, text) {
  clear(view).append(
    el('h1', { i18n: title }),
    el('div', { class: 'card' }, el('p', { i18n: text }), el('p', { class: 'hint', i18n: 'later.soon' })),
  );
}
