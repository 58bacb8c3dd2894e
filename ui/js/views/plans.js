// Action plans, grouped by the group that owns them; each item's status changes in one click and
// overdue items stand out. `planCard` and `planForm` are also used on a session's page.

import { el, clear, foldedForm, field, textInput, select, showError, clearErrors, trackDirty, markClean } from '../dom.js';
import { t, formatDate, parseDate } from '../i18n.js';
import { ITEM_STATUSES } from '../codes.js';

export async function render(view, ctx) {
  const [plans, sessions] = await Promise.all([ctx.api.listPlans(null), ctx.api.listSessions({})]);
  const reload = () => render(view, ctx);
  const byOwner = new Map();
  for (const plan of plans) {
    if (!byOwner.has(plan.owner)) byOwner.set(plan.owner, []);
    byOwner.get(plan.owner).push(plan);
  }
  const groups = [...byOwner.entries()].map(([owner, list]) => el('section', { class: 'owner' },
    el('h2', {}, owner), ...list.map((plan) => planCard(plan, ctx, reload))));
  clear(view, 
    el('h1', { i18n: 'plans.title' }),
    foldedForm(el('summary', { i18n: 'plans.new' }), planForm(ctx, sessions, null, reload), 'new-plan'),
    ...(groups.length ? groups : [el('p', { class: 'empty', i18n: 'plans.empty' })]));
}

export function planCard(plan, ctx, reload) {
  const done = plan.items.filter((item) => item.status === 'done').length;
  return el('article', { class: 'card plan', dataset: { plan: plan.id } },
    el('h3', {}, plan.title),
    el('p', { class: 'meta' }, plan.owner, plan.community ? ` · ${plan.community}` : '', ' · ',
      t('plans.progress', { done, total: plan.items.length })),
    plan.objective ? el('p', {}, plan.objective) : null,
    plan.items.length
      ? el('ul', { class: 'items' }, ...plan.items.map((item) => itemRow(item, ctx, reload)))
      : el('p', { class: 'empty', i18n: 'plans.no_items' }),
    foldedForm(el('summary', { i18n: 'plans.add_item' }), itemForm(plan, ctx, reload)));
}

function itemRow(item, ctx, reload) {
  const buttons = ITEM_STATUSES.map((status) => el('button', {
    type: 'button',
    class: `small status-button ${status}`,
    'aria-pressed': String(item.status === status),
    dataset: { status },
    i18n: `item_status.${status}`,
    on: {
      click: async () => {
        await ctx.api.setItemStatus(item.id, status);
        await reload();
      },
    },
  }));
  return el('li', { class: item.overdue ? 'item overdue' : 'item', dataset: { item: item.id } },
    el('div', {},
      el('span', { class: 'description' }, item.description),
      el('span', { class: 'meta' },
        item.responsible ? `${item.responsible} · ` : '',
        item.due_date ? `${t('plans.due')} ${formatDate(item.due_date)}` : '',
        item.overdue ? el('strong', { class: 'overdue-label', i18n: 'plans.overdue' }) : null)),
    el('div', { class: 'segmented', role: 'group', 'aria-label': t('plans.set_status') }, ...buttons));
}

function itemForm(plan, ctx, reload) {
  const description = textInput('description');
  const responsible = textInput('responsible');
  const due = textInput('due', '', { placeholder: t('common.date_placeholder') });
  const form = trackDirty(el('form', { novalidate: true, class: 'item-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('div', { class: 'row' },
      field({ field: 'action', label: 'plans.action', input: description }),
      field({ field: 'responsible', label: 'plans.responsible', input: responsible }),
      field({ field: 'due date', label: 'plans.due', input: due })),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'common.add' }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await ctx.api.addItem(plan.id, { description: description.value, responsible: responsible.value, due_date: parseDate(due.value) });
      markClean(form);
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** A new plan; `sessionId` preselects the session it came out of. */
export function planForm(ctx, sessions, sessionId, reload) {
  const title = textInput('title');
  const owner = textInput('owner');
  const session = select('session', [['', t('plans.no_session')], ...sessions.map((s) => [s.id, `${formatDate(s.start_date)} · ${s.title}`])], sessionId ?? '');
  const community = textInput('community');
  const problem = el('textarea', { name: 'problem', rows: 2 });
  const objective = el('textarea', { name: 'objective', rows: 2 });
  const form = trackDirty(el('form', { novalidate: true, class: 'plan-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('div', { class: 'row' },
      field({ field: 'title', label: 'plans.plan_title', input: title }),
      field({ field: 'owner group', label: 'plans.owner', input: owner })),
    el('div', { class: 'row' },
      field({ field: 'session', label: 'plans.session', input: session }),
      field({ field: 'community', label: 'plans.community', input: community })),
    field({ field: 'problem analysis', label: 'plans.problem', input: problem }),
    field({ field: 'objective', label: 'plans.objective', input: objective }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'common.save' }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await ctx.api.addPlan({
        title: title.value, owner: owner.value, session_id: session.value, community: community.value,
        problem: problem.value, objective: objective.value,
      });
      markClean(form);
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
