// Settings: language, facilitator, this computer's name and fingerprint.

import { el, clear, field, textInput, select, showError, clearErrors, trackDirty, markClean, toast, confirmDialog } from '../dom.js';
import { t, currentLanguage, formatDate, number } from '../i18n.js';
import { files } from '../api.js';

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

/** Enrol with HQ: pick HQ's enrollment file, then read the fingerprint to HQ by phone. */
function hqSection(hq, view, ctx) {
  const enrol = el('button', { type: 'button', class: hq.enrollment ? 'secondary' : 'primary', id: 'enrol-hq', i18n: 'hq.enrol', on: {
    click: async () => {
      const path = await files.open({ multiple: false, filters: [{ name: t('hq.enrollment_files'), extensions: ['palabre-hq'] }] });
      if (!path) return;
      try {
        const enrolled = await ctx.api.enrollWithHq(path);
        toast(t('hq.enrolled_done', { fingerprint: enrolled.hq_fingerprint }));
        await render(view, ctx);
      } catch (error) {
        showError(section, error);
      }
    },
  } });
  const section = el('section', { class: 'card', id: 'hq-section' },
    el('h2', { i18n: 'hq.title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    hq.is_hq ? el('p', { id: 'hq-self', i18n: 'hq.this_is_hq' }) : null,
    hq.is_hq ? null : hq.enrollment
      ? el('dl', { class: 'meta-list' },
        el('dt', { i18n: 'hq.programme' }), el('dd', {}, hq.enrollment.programme),
        el('dt', { i18n: 'hq.fingerprint' }),
        el('dd', {}, el('code', { id: 'hq-fingerprint', class: 'fingerprint' }, hq.enrollment.hq_fingerprint),
          el('p', { class: 'hint', i18n: 'hq.fingerprint_hint' })))
      : el('p', { class: 'warning', i18n: 'hq.not_enrolled' }),
    hq.enrollment || hq.is_hq ? null : el('p', { class: 'hint', i18n: 'hq.enrol_help' }),
    hq.enrollment || hq.is_hq ? null : enrol);
  return section;
}

/** The automatic backups, a manual one, and restoring one (after a confirmation). */
function backupSection(backups, view, ctx) {
  const restore = async (path, label) => {
    const sure = await confirmDialog({
      title: t('backup.restore_title'), body: t('backup.restore_body', { name: label }),
      confirm: t('backup.restore'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    try {
      await ctx.api.restoreBackup(path);
      toast(t('backup.restored', { name: label }));
      await render(view, ctx);
    } catch (error) {
      showError(section, error);
    }
  };
  const rows = backups.map((b) => el('tr', { dataset: { backup: b.file_name } },
    el('td', {}, formatDate(b.created_at), ' ', b.created_at.slice(11, 16)),
    el('td', {}, t(`backup.reason_${b.reason.startsWith('migration') ? 'migration' : b.reason}`)),
    el('td', { class: 'nowrap' }, t('backup.size', { kb: number(Math.ceil(b.bytes / 1024)) })),
    el('td', {}, el('button', { type: 'button', class: 'small secondary', i18n: 'backup.restore',
      on: { click: () => restore(b.path, `${formatDate(b.created_at)} ${b.created_at.slice(11, 16)}`) } }))));
  const now = el('button', { type: 'button', class: 'secondary', id: 'backup-now', i18n: 'backup.now', on: {
    click: async () => {
      const path = await files.save({ defaultPath: `palabre-${new Date().toISOString().slice(0, 10)}.db`, filters: [{ name: t('backup.files'), extensions: ['db'] }] });
      if (!path) return;
      try {
        await ctx.api.backupNow(path);
        toast(t('backup.saved', { path }));
      } catch (error) {
        showError(section, error);
      }
    },
  } });
  const fromFile = el('button', { type: 'button', class: 'secondary', id: 'restore-file', i18n: 'backup.restore_file', on: {
    click: async () => {
      const path = await files.open({ multiple: false, filters: [{ name: t('backup.files'), extensions: ['db'] }] });
      if (path) await restore(path, String(path).split(/[\\/]/).pop());
    },
  } });
  const section = el('section', { class: 'card', id: 'backups' },
    el('h2', { i18n: 'backup.title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'backup.help' }),
    backups.length
      ? el('table', { class: 'data', id: 'backup-list' }, el('tbody', {}, ...rows))
      : el('p', { class: 'empty', i18n: 'backup.none' }),
    el('div', { class: 'actions' }, now, fromFile));
  return section;
}

export async function render(view, ctx) {
  await ctx.reloadInfo();
  const info = ctx.info;
  const [hq, backups] = await Promise.all([ctx.api.hqStatus(), ctx.api.listBackups()]);
  const language = select('language', [['fr', 'Français'], ['en', 'English']], currentLanguage(), { id: 'language-select' });
  language.addEventListener('change', () => document.querySelector(`[data-lang="${language.value}"]`).click());
  clear(view, 
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
        el('dt', { i18n: 'settings.version' }), el('dd', {}, info.version))),
    hqSection(hq, view, ctx),
    backupSection(backups, view, ctx));
}
