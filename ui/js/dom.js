// Small DOM helpers shared by the views: building elements, form fields with inline errors,
// unsaved-change tracking, a confirmation dialog and a status toast.

import { t, has } from './i18n.js';

/**
 * el('button', { class: 'primary', i18n: 'common.save', on: { click } }, ...children)
 * `i18n` sets the text from a key; string children are user data, shown as text (never HTML).
 * Children that are null, undefined or false are left out, so `cond ? node : null` is safe.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'i18n') node.textContent = t(value);
    else if (name === 'text') node.textContent = value;
    else if (name === 'on') for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  return append(node, ...children);
}

/**
 * Adds children to a node: nodes as they are, other values as text; null, undefined and false
 * (and arrays of them) are left out. The views add children only through this, `el` and `clear`
 * (tests/i18n.rs checks), so that the DOM never turns a `null` into the word "null".
 */
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children with `children` (filtered as `append` does). */
export function clear(node, ...children) {
  node.replaceChildren();
  return append(node, ...children);
}

let counter = 0;

/**
 * A labelled form field. `field` is the core's name for it (as in its errors), so that an error
 * about it is shown right under it.
 */
export function field({ field, label, input, hint }) {
  const id = input.id || `f${++counter}`;
  input.id = id;
  const error = el('p', { class: 'error', id: `${id}-error`, hidden: true });
  const parts = [el('label', { for: id, i18n: label }), input];
  if (hint) {
    parts.push(el('p', { class: 'hint', id: `${id}-hint`, i18n: hint }));
    input.setAttribute('aria-describedby', `${id}-hint`);
  }
  return el('div', { class: 'field', dataset: { field } }, ...parts, error);
}

export function textInput(name, value = '', props = {}) {
  return el('input', { type: 'text', name, value: value ?? '', autocomplete: 'off', ...props });
}

export function select(name, options, value, props = {}) {
  const node = el('select', { name, ...props });
  for (const [code, label] of options) {
    append(node, el('option', { value: code, selected: code === value }, label));
  }
  return node;
}

/** Shows the core's error at its field (or at the top of the form) in the current language. */
export function showError(form, error) {
  clearErrors(form);
  const key = `errors.${error.code}`;
  const message = has(key) ? t(key, error.details ?? {}) : t('errors.unknown', { message: error.message });
  const target = error.field && form.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
  const box = target ? target.querySelector('.error') : form.querySelector('.form-error');
  if (target) {
    target.classList.add('invalid');
    const input = target.querySelector('input,select,textarea');
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
  }
  if (box) {
    box.textContent = message;
    box.hidden = false;
  } else {
    toast(message, true);
  }
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll('.invalid')) node.classList.remove('invalid');
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  for (const node of form.querySelectorAll('.error, .form-error')) {
    node.textContent = '';
    node.hidden = true;
  }
}

/**
 * Marks a form dirty as soon as something is typed; the router asks before leaving it, and
 * closing the window asks too (app.js tells the shell through a `palabre:unsaved` event).
 */
export function trackDirty(form) {
  form.addEventListener('input', () => {
    form.dataset.dirty = '1';
    announceUnsaved();
  });
  return form;
}

export function markClean(form) {
  delete form.dataset.dirty;
  announceUnsaved();
}

let announced = false;

/** Tells listeners (app.js → the shell) when "is there unsaved input?" changes. */
export function announceUnsaved() {
  const now = hasUnsavedChanges();
  if (now === announced) return;
  announced = now;
  document.dispatchEvent(new CustomEvent('palabre:unsaved', { detail: now }));
}

export function hasUnsavedChanges() {
  return document.querySelector('form[data-dirty="1"]') !== null;
}

/** An in-page confirmation dialog; resolves to true when the first (confirming) button is chosen. */
export function confirmDialog({ title, body, confirm, cancel, danger = false }) {
  const modal = document.getElementById('modal');
  return new Promise((resolve) => {
    const done = (answer) => {
      modal.hidden = true;
      clear(modal);
      document.removeEventListener('keydown', onKey, true);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        done(false);
      }
    };
    const stay = el('button', { type: 'button', class: 'secondary', on: { click: () => done(false) } }, cancel);
    const go = el('button', { type: 'button', class: danger ? 'danger' : 'primary', on: { click: () => done(true) } }, confirm);
    clear(modal).append(
      el('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'dialog-title' },
        el('h2', { id: 'dialog-title' }, title),
        el('p', {}, body),
        el('div', { class: 'actions' }, go, stay)),
    );
    modal.hidden = false;
    document.addEventListener('keydown', onKey, true);
    stay.focus();
  });
}

let toastTimer;

export function toast(message, isError = false) {
  const node = document.getElementById('toast');
  node.textContent = message;
  node.className = ['show', isError && 'error'].filter(Boolean).join(' ');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.className = '';
  }, 4000);
}

export function debounce(fn, ms = 150) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A folded form (<details>): opening it moves the focus to its first field. */
export function foldedForm(summary, form, id = undefined) {
  const details = el('details', { class: 'quick', id }, summary, form);
  details.addEventListener('toggle', () => {
    if (details.open) details.querySelector('input, select, textarea')?.focus();
  });
  return details;
}
