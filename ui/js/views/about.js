// About: name, version (from Cargo.toml), licences (the app's and the fonts'), and where the data
// lives — the folder a facilitator or the IT person needs when backing up or reinstalling.

import { el, clear, showError, toast } from '../dom.js';
import { t } from '../i18n.js';
import { files } from '../api.js';

export async function render(view, ctx) {
  const a = await ctx.api.about();
  const row = (label, value, id) => [el('dt', { i18n: label }), el('dd', {}, el('code', { id }, value ?? ''))];
  const licence = (title, name, text, id) => el('details', { id },
    el('summary', {}, title, ' — ', name, ' (', t('about.show_text'), ')'),
    el('pre', { class: 'licence' }, text));
  // For the programme's IT person: versions, counts and the recent log (no participant's data).
  const diagnostics = el('section', { class: 'card', id: 'diagnostics' },
    el('h2', { i18n: 'about.diagnostics' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'about.diagnostics_help' }),
    el('button', { type: 'button', class: 'secondary', id: 'save-diagnostics', i18n: 'about.diagnostics_save', on: {
      click: async () => {
        const path = await files.save({
          defaultPath: `palabre-diagnostics-${new Date().toISOString().slice(0, 10)}.json`,
          filters: [{ name: t('about.diagnostics_files'), extensions: ['json'] }],
        });
        if (!path) return;
        try {
          await ctx.api.saveDiagnostics(path);
          toast(t('about.diagnostics_saved', { path }));
        } catch (error) {
          showError(diagnostics, error);
        }
      },
    } }));
  clear(view,
    el('div', { class: 'about-head' },
      el('img', { src: 'img/icon.png', alt: '', width: 48, height: 48 }),
      el('h1', { i18n: 'about.title' })),
    el('p', { class: 'hint', i18n: 'about.tagline' }),
    el('section', { class: 'card' },
      el('dl', { class: 'meta-list' },
        el('dt', { i18n: 'about.version' }), el('dd', { id: 'about-version' }, `${a.name} ${a.version}`),
        el('dt', { i18n: 'about.licence' }), el('dd', {}, a.licence),
        ...row('about.data_folder', a.data_folder, 'about-data-folder'),
        ...row('about.database', a.database, 'about-database'),
        ...row('about.key_file', a.key_file, 'about-key-file'),
        ...row('about.backups', a.backups_folder, 'about-backups')),
      el('p', { class: 'hint', i18n: 'about.data_hint' })),
    diagnostics,
    el('section', { class: 'card' },
      el('h2', { i18n: 'about.licence' }),
      licence(a.name, a.licence, a.licence_text, 'about-licence'),
      el('h2', { i18n: 'about.fonts' }),
      el('p', { class: 'hint', i18n: 'about.fonts_use' }),
      ...a.fonts.map((f, i) => licence(f.name, f.licence, f.text, `about-font-${i}`))));
}
