// Print: an attendance sheet for a session (or a blank one), in French or English, saved as PDF
// and opened in the system's viewer to print.

import { el, clear, field, select, textInput, showError, clearErrors, toast } from '../dom.js';
import { t, formatDate, currentLanguage } from '../i18n.js';
import { api, files } from '../api.js';

export async function render(view, sessionId, ctx) {
  const sessions = (await ctx.api.listSessions({})).filter((s) => s.status !== 'cancelled');
  const session = select('session', [['', t('sheet.empty')], ...sessions.map((s) => [s.id, `${formatDate(s.start_date)} · ${s.title}`])],
    sessionId ?? '', { id: 'sheet-session' });
  const lang = select('lang', [['fr', 'Français'], ['en', 'English']], currentLanguage(), { id: 'sheet-lang' });
  const blank = textInput('blank_rows', '10', { inputmode: 'numeric', id: 'sheet-blank' });
  const open = el('input', { type: 'checkbox', name: 'open', checked: true, id: 'sheet-open' });
  const result = el('p', { id: 'sheet-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'card', novalidate: true, id: 'sheet-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'session', label: 'sheet.choose_session', input: session }),
    el('div', { class: 'row' },
      field({ field: 'language', label: 'sheet.language', input: lang }),
      field({ field: 'blank rows', label: 'sheet.blank_rows', input: blank })),
    el('div', { class: 'field check' }, el('label', {}, open, el('span', { i18n: 'sheet.open_after' }))),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'sheet.save' })),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    // Refused before the save dialog, not after it (the limit is the core's).
    const typed = blank.value.trim() || '0';
    const rows = Number(typed);
    const max = ctx.info.max_blank_rows;
    if (!/^\d+$/.test(typed) || rows > max) {
      showError(form, { code: 'out_of_range', field: 'blank rows', details: { min: 0, max } });
      return;
    }
    const chosen = sessions.find((s) => s.id === session.value);
    const name = chosen ? `${t('sheet.title')} ${formatDate(chosen.start_date)}` : t('sheet.title');
    const path = await files.save({
      defaultPath: `${name.replaceAll('/', '-')}.pdf`,
      filters: [{ name: t('sheet.pdf_files'), extensions: ['pdf'] }],
    });
    if (!path) return;
    try {
      await api.saveAttendanceSheet(session.value || null, lang.value, rows, path);
      result.textContent = t('sheet.saved', { path });
      if (open.checked) await api.openInViewer(path).catch(() => toast(t('sheet.opened_failed'), true));
    } catch (error) {
      showError(form, error);
    }
  });
  clear(view, el('h1', { i18n: 'sheet.print' }), el('p', { class: 'hint', i18n: 'sheet.intro' }), form);
}
