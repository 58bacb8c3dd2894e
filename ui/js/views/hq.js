// The HQ desk: what HQ's computer opens on. The inbox (several files, a whole folder or a USB
// stick, with a progress bar and one result per file), the laptops (trusted or waiting, last
// bundle, newest change, missing changes, a wrong clock; trust, acknowledge, send the registry
// down, declare lost, restore a replacement), the bundles held, and the way to the
// programme-wide report, duplicates and conflicts. Every action is one call into the core, the
// same the `palabre hq …` commands make.

import { el, clear, toast, confirmDialog, showError, clearErrors, field } from '../dom.js';
import { t, formatDate, number } from '../i18n.js';
import { api, files } from '../api.js';
import { importControls, clockWarning } from './sync.js';

export async function render(view, ctx) {
  const [hq, overview] = await Promise.all([api.hqStatus(), api.overview()]);
  const laptops = el('section', { class: 'card', id: 'hq-laptops' });
  const held = el('section', { class: 'card', id: 'hq-held' });
  const downlink = el('section', { class: 'card', id: 'hq-downlink', hidden: true });
  const refresh = async () => {
    await renderLaptops(laptops, downlink, refresh);
    await renderHeld(held, refresh);
  };
  const inbox = importControls({
    ids: { files: 'hq-import-files', folder: 'hq-import-folder', progress: 'hq-progress', progressText: 'hq-progress-text', results: 'hq-results', stop: 'hq-import-stop' },
    primaryFolder: true,
    after: async (outcomes) => {
      const counts = {};
      for (const o of outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
      toast(t('hq.imported', { count: outcomes.length, merged: counts.applied ?? 0, waiting: (counts.quarantined ?? 0) + (counts.held ?? 0), refused: counts.rejected ?? 0 }));
      await refresh();
    },
  });
  const ackAll = el('button', { type: 'button', class: 'secondary', id: 'hq-ack-all', i18n: 'hq.ack_all' });
  ackAll.addEventListener('click', () => acknowledge(view, null));

  clear(view,
    el('div', { class: 'title-row' },
      el('h1', { i18n: 'hq.desk_title' }),
      el('span', { class: 'meta', id: 'hq-programme' }, hq.enrollment ? hq.enrollment.programme : '')),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    el('section', { class: 'figures', 'aria-label': t('hq.desk_title') },
      el('div', { class: 'figure' }, el('span', { class: 'value' }, number(overview.people_reached)), el('span', { class: 'label', i18n: 'home.people_reached' })),
      el('div', { class: 'figure' }, el('span', { class: 'value' }, number(overview.sessions_held)), el('span', { class: 'label', i18n: 'home.sessions_held' }))),
    el('section', { class: 'card', id: 'hq-inbox' },
      el('h2', { i18n: 'hq.inbox_title' }),
      el('p', { class: 'hint', i18n: 'hq.inbox_help' }),
      el('div', { class: 'actions' }, inbox.importFiles, inbox.importFolder, inbox.progress, inbox.progressText, inbox.stop),
      inbox.results),
    laptops,
    downlink,
    el('section', { class: 'card', id: 'hq-acks' },
      el('h2', { i18n: 'hq.acks_title' }),
      el('p', { class: 'hint', i18n: 'hq.acks_help' }),
      el('div', { class: 'actions' }, ackAll),
      el('ul', { class: 'results', id: 'hq-ack-results' })),
    held,
    el('section', { class: 'card', id: 'hq-programme-wide' },
      el('h2', { i18n: 'hq.programme_title' }),
      el('div', { class: 'actions' },
        el('a', { class: 'button secondary', href: '#/report', id: 'hq-open-report', i18n: 'nav.report' }),
        el('a', { class: 'button secondary', href: '#/sync/duplicates', id: 'hq-open-duplicates', i18n: 'dup.open' }),
        el('a', { class: 'button secondary', href: '#/sync', id: 'hq-open-conflicts', i18n: 'hq.open_conflicts' }))));
  await refresh();
}

/** Writes acknowledgements (for every laptop, or one) into a folder the officer chooses. */
async function acknowledge(view, laptop) {
  clearErrors(view);
  const dir = await files.open({ directory: true, multiple: false });
  if (!dir) return;
  try {
    const written = await api.hqAck(dir, laptop ? laptop.fingerprint : null, !laptop);
    const list = view.querySelector('#hq-ack-results');
    clear(list, ...written.map((a) => el('li', { class: 'outcome applied' },
      el('strong', {}, a.path), ' — ', a.devices.map((d) => t('hq.acked_laptop', { name: d.name, count: number(d.op_seq) })).join(', '))));
    toast(t('hq.acks_written', { count: written.length }));
  } catch (error) {
    showError(view, error);
  }
}

function laptopState(d) {
  if (d.lost_at) return el('span', { class: 'badge danger' }, t('hq.lost'));
  if (d.trusted) return el('span', { class: 'badge' }, t('sync.trusted'));
  return el('span', { class: 'badge warning' }, t('sync.not_trusted'));
}

async function renderLaptops(section, downlink, refresh) {
  const list = (await api.listDevices()).filter((d) => !d.this_device);
  const rows = list.map((d) => {
    const notes = [
      ...d.missing.map((m) => el('div', { class: 'warning' }, t('sync.missing', { from: number(m.from), to: number(m.to) }))),
      d.clock_off ? el('div', { class: 'warning clock-warning' }, clockWarning(d.clock_offset_s)) : null,
      d.quarantined_bundles && !d.lost_at ? el('div', {}, t('sync.waiting', { count: d.quarantined_bundles })) : null,
      d.quarantined_bundles && d.lost_at ? el('div', { class: 'warning' }, t('hq.held_count', { count: d.quarantined_bundles })) : null,
      d.forks ? el('div', { class: 'warning' }, t('sync.fork')) : null,
      d.successor_of ? el('div', { class: 'meta' }, t('hq.replaces', { name: d.successor_of })) : null,
      d.lost_at ? el('div', { class: 'warning' }, t('hq.lost_since', { date: formatDate(d.lost_at) })) : null,
    ];
    // Every action says what went wrong (a busy database, a laptop lost meanwhile) on the page.
    const button = (key, cls, action) => {
      const name = key.slice(key.lastIndexOf('.') + 1);
      const b = el('button', { type: 'button', class: `small ${cls}`, i18n: key, dataset: { action: name, fingerprint: d.fingerprint } });
      b.addEventListener('click', async () => {
        const view = document.getElementById('view');
        clearErrors(view);
        try {
          await action();
        } catch (error) {
          showError(view, error);
        }
      });
      return b;
    };
    const actions = [];
    if (!d.trusted && !d.lost_at) {
      actions.push(button('sync.trust', 'primary', async () => {
        const sure = await confirmDialog({
          title: t('sync.trust_title'), body: t('sync.trust_body', { fingerprint: d.fingerprint, name: d.name }),
          confirm: t('sync.trust_confirm'), cancel: t('common.cancel'),
        });
        if (!sure) return;
        const trusted = await api.trustDevice(d.fingerprint);
        toast(t('sync.trusted_done', { name: trusted.name, count: trusted.merged.length }));
        await refresh();
      }));
    }
    if (d.lost_at) {
      actions.push(button('hq.found', 'secondary', async () => {
        const sure = await confirmDialog({
          title: t('hq.found_title', { name: d.name }), body: t('hq.found_body', { name: d.name }),
          confirm: t('hq.found_confirm'), cancel: t('common.cancel'),
        });
        if (!sure) return;
        const found = await api.hqFound(d.fingerprint);
        toast(t('hq.found_done', { name: found.name }));
        await refresh();
      }));
    }
    if (d.trusted && !d.lost_at) {
      actions.push(button('hq.ack_one', 'secondary', () => acknowledge(document.getElementById('view'), d)));
      actions.push(button('hq.registry', 'secondary', () => openDownlink(downlink, d, list, 'registry', refresh)));
      // A laptop restored from a lost one: offered once some laptop is declared lost.
      if (list.some((o) => o.lost_at)) actions.push(button('hq.restore', 'secondary', () => openDownlink(downlink, d, list, 'restore', refresh)));
      actions.push(button('hq.declare_lost', 'danger', async () => {
        const sure = await confirmDialog({
          title: t('hq.lost_title', { name: d.name }), body: t('hq.lost_body', { name: d.name, fingerprint: d.fingerprint }),
          confirm: t('hq.lost_confirm'), cancel: t('common.cancel'), danger: true,
        });
        if (!sure) return;
        const marked = await api.hqLost(d.fingerprint);
        toast(t('hq.lost_done', { name: marked.name }));
        await refresh();
      }));
    }
    return el('tr', { dataset: { device: d.device_id, name: d.name } },
      el('td', {}, el('strong', {}, d.name), el('div', {}, el('code', { class: 'fingerprint-small' }, d.fingerprint))),
      el('td', {}, d.facilitator ?? ''),
      el('td', {}, laptopState(d)),
      el('td', {}, d.last_bundle_seq ? t('hq.bundle_on', { seq: number(d.last_bundle_seq), date: formatDate(d.last_import_at) }) : t('sync.nothing_received')),
      el('td', {}, d.last_change_at ? formatDate(d.last_change_at) : '', d.ops ? el('div', { class: 'meta' }, t('sync.complete_up_to', { seq: number(d.gap_free_seq) })) : null),
      el('td', {}, ...notes),
      el('td', {}, el('div', { class: 'laptop-actions' }, ...actions)));
  });
  clear(section,
    el('h2', { i18n: 'hq.laptops_title' }),
    list.length
      ? el('table', { class: 'data', id: 'hq-laptop-list' },
        el('thead', {}, el('tr', {},
          el('th', { i18n: 'sync.device_name' }), el('th', { i18n: 'hq.facilitator' }), el('th', { i18n: 'sync.state' }),
          el('th', { i18n: 'hq.last_bundle' }), el('th', { i18n: 'hq.last_change' }), el('th', { i18n: 'hq.watch' }), el('th', {}))),
        el('tbody', {}, ...rows))
      : el('p', { class: 'empty', id: 'hq-no-laptops', i18n: 'hq.no_laptops' }));
}

const split = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** The form that writes a registry (or a restore) bundle for one laptop into a folder. */
function openDownlink(section, laptop, all, kind, refresh) {
  const regions = el('input', { type: 'text', id: 'scope-regions', name: 'regions' });
  const cercles = el('input', { type: 'text', id: 'scope-cercles', name: 'cercles' });
  const communes = el('input', { type: 'text', id: 'scope-communes', name: 'communes' });
  const group = el('select', { id: 'scope-group', name: 'group' },
    el('option', { value: '' }, t('hq.every_group')),
    ...['womens_groups', 'youth', 'security_actors', 'governance_justice', 'municipal_authorities', 'traditional_leaders', 'religious_leaders', 'civil_society', 'other']
      .map((g) => el('option', { value: g }, t(`group.${g}`))));
  // Lost laptops first: the one this laptop replaces is among them.
  const others = all.filter((d) => d.device_id !== laptop.device_id).sort((a, b) => Boolean(b.lost_at) - Boolean(a.lost_at));
  const replaces = el('select', { id: 'restore-replaces', name: 'replaces' },
    ...others.map((d) => el('option', { value: d.fingerprint }, `${d.name} (${d.fingerprint})${d.lost_at ? ` — ${t('hq.lost')}` : ''}`)));
  const write = el('button', { type: 'button', class: 'primary', id: 'downlink-write', i18n: kind === 'registry' ? 'hq.registry_write' : 'hq.restore_write' });
  const cancel = el('button', { type: 'button', class: 'secondary', i18n: 'common.cancel' });
  const result = el('p', { id: 'downlink-result', 'aria-live': 'polite' });
  cancel.addEventListener('click', () => { section.hidden = true; });
  write.addEventListener('click', async () => {
    clearErrors(section);
    const scope = { regions: split(regions.value), cercles: split(cercles.value), communes: split(communes.value), groups: group.value ? [group.value] : [] };
    if (kind === 'restore') {
      const old = others.find((d) => d.fingerprint === replaces.value);
      if (old && !old.lost_at) {
        const sure = await confirmDialog({
          title: t('hq.lost_title', { name: old.name }), body: t('hq.lost_body', { name: old.name, fingerprint: old.fingerprint }),
          confirm: t('hq.lost_confirm'), cancel: t('common.cancel'), danger: true,
        });
        if (!sure) return;
      }
    }
    const dir = await files.open({ directory: true, multiple: false });
    if (!dir) return;
    write.disabled = true;
    try {
      const written = kind === 'registry'
        ? await api.hqRegistry(laptop.fingerprint, scope, dir)
        : await api.hqRestore(laptop.fingerprint, replaces.value, scope, dir);
      result.textContent = t(`hq.${kind}_written`, {
        path: written.path, name: written.for_device.name, count: written.counts.people,
        sessions: number(written.counts.sessions), plans: number(written.counts.plans),
      });
      await refresh();
    } catch (error) {
      showError(section, error);
    } finally {
      write.disabled = false;
    }
  });
  clear(section,
    el('h2', {}, t(kind === 'registry' ? 'hq.registry_title' : 'hq.restore_title', { name: laptop.name })),
    el('p', { class: 'hint', i18n: kind === 'registry' ? 'hq.registry_help' : 'hq.restore_help' }),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    kind === 'restore' ? field({ field: 'replaces', label: 'hq.replaces_label', input: replaces }) : null,
    el('div', { class: 'row' },
      field({ field: 'regions', label: 'hq.scope_regions', input: regions }),
      field({ field: 'cercles', label: 'hq.scope_cercles', input: cercles }),
      field({ field: 'communes', label: 'hq.scope_communes', input: communes })),
    field({ field: 'group', label: 'hq.scope_group', input: group }),
    el('div', { class: 'actions' }, write, cancel),
    result);
  section.hidden = false;
  section.scrollIntoView({ block: 'start' });
}

/** A lost laptop's held bundle, merged after the officer checked it with the facilitator. */
function releaseButton(h, refresh) {
  const b = el('button', { type: 'button', class: 'small secondary', dataset: { action: 'release', bundle: h.bundle_id }, i18n: 'hq.release' });
  b.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: t('hq.release_title'), body: t('hq.release_body', { name: h.device, made: formatDate(h.created_at), count: number(h.ops) }),
      confirm: t('hq.release_confirm'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    const view = document.getElementById('view');
    clearErrors(view);
    try {
      const outcome = await api.releaseHeldBundle(h.bundle_id);
      toast(outcome.outcome === 'applied' ? t('outcome.applied', { count: outcome.new_ops })
        : outcome.outcome === 'already_imported' ? t('outcome.already_imported')
          : `${t('outcome.rejected')} : ${outcome.reason ?? ''}`);
      await refresh();
    } catch (error) {
      showError(view, error);
    }
  });
  return b;
}

async function renderHeld(section, refresh) {
  const list = await api.heldBundles();
  clear(section,
    el('h2', { i18n: 'hq.held_title' }),
    list.length
      ? el('ul', { class: 'results', id: 'hq-held-list' }, ...list.map((h) => el('li', { class: `outcome ${h.reason === 'lost' ? 'rejected' : 'quarantined'}`, dataset: { reason: h.reason } },
        el('strong', {}, h.device), ' ', el('code', { class: 'fingerprint-small' }, h.fingerprint), ' — ',
        t(h.reason === 'lost' ? 'hq.held_lost' : 'hq.held_untrusted', { seq: number(h.bundle_seq), count: number(h.ops), made: formatDate(h.created_at), received: formatDate(h.received_at) }),
        h.reason === 'lost' ? el('div', {}, releaseButton(h, refresh)) : null)))
      : el('p', { class: 'empty', id: 'hq-nothing-held', i18n: 'hq.nothing_held' }));
}
