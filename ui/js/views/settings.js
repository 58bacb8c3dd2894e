// Settings: language, facilitator, this computer's name and fingerprint.

import { el, clear, field, textInput, select, showError, clearErrors, trackDirty, markClean, toast } from '../dom.js';
import { t, currentLanguage } from '../i18n.js';

function savingForm(id, input, fieldName, label, save) {
  const form = trackDirty(el('form', { novalidate: true, class: 'inline', id },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: fieldName, label, input }),
    el('button', { type: 'submit', class: 'primary', i18n: 'common.save' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await save(input.value);
      markClean(form);
      toast(t('common.saved'));
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

export async function render(view, ctx) {
  await ctx.reloadInfo();
  const info = ctx.info;
  const language = select('language', [['fr', 'Français'], ['en', 'English']], currentLanguage(), { id: 'language-select' });
  language.addEventListener('change', () => document.querySelector(`[data-lang="${language.value}"]`).click());
  clear(view).append(
    el('h1', { i18n: 'settings.title' }),
    el('section', { class: 'card' },
      field({ field: 'language', label: 'settings.language', input: language }),
      savingForm('facilitator-form', textInput('facilitator', info.facilitator), 'facilitator', 'settings.facilitator',
        (value) => ctx.api.setSetting('facilitator', value)),
      savingForm('device-form', textInput('device_name', info.device?.name ?? ''), 'device name', 'settings.device_name',
        (value) => ctx.api.renameDevice(value))),
    el('section', { class: 'card' },
      el('dl', { class: 'meta-list' },
        el('dt', { i18n: 'settings.fingerprint' }),
        el('dd', {}, el('code', { id: 'fingerprint', class: 'fingerprint' }, info.device?.fingerprint ?? ''),
          el('p', { class: 'hint', i18n: 'settings.fingerprint_hint' })),
        el('dt', { i18n: 'settings.database' }), el('dd', {}, el('code', {}, info.database ?? '')),
        el('dt', { i18n: 'settings.version' }), el('dd', {}, info.version))));
}
