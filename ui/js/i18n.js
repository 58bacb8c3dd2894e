// Strings, plurals and dates. Every visible text comes from ui/i18n/{fr,en}.json through `t`;
// the core's documents read the same files. Dates are shown and typed as dd/mm/yyyy in both
// languages; the core receives ISO dates.

let language = 'fr';
let strings = {};

export async function load(lang) {
  const response = await fetch(`i18n/${lang}.json`);
  strings = await response.json();
  language = lang;
  document.documentElement.lang = lang;
}

export function currentLanguage() {
  return language;
}

export function has(key) {
  return key in strings;
}

/** Counts in messages are written the language's way (7 324, 7,324); years and codes are not. */
const COUNTS = new Set(['count', 'total', 'shown', 'len', 'done']);

/** The text of `key`, with `{name}` placeholders filled; plural forms chosen by `vars.count`. */
export function t(key, vars = {}) {
  let text = strings[key];
  if (text === undefined) return key;
  if (typeof text === 'object') {
    const form = new Intl.PluralRules(language).select(vars.count ?? 0);
    text = text[form] ?? text.other;
  }
  const shown = (name) => {
    const value = vars[name];
    return COUNTS.has(name) && typeof value === 'number' ? number(value) : String(value);
  };
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? shown(name) : ''));
}

/** Fills every element marked with data-i18n (text), data-i18n-placeholder and data-i18n-aria. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  }
}

/** Today on this computer, as an ISO date (2024-03-15). */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** 2024-03-15 → 15/03/2024 (empty stays empty). */
export function formatDate(iso) {
  if (!iso) return '';
  const [year, month, day] = String(iso).slice(0, 10).split('-');
  return `${day}/${month}/${year}`;
}

/** 15/3/2024 → 2024-03-15. Anything else is passed on as typed, for the core to refuse. */
export function parseDate(text) {
  const value = String(text ?? '').trim();
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (!match) return value;
  const [, day, month, year] = match;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

export function percent(part, total) {
  if (!total) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(part / total);
}

export function number(n) {
  return new Intl.NumberFormat(language).format(n);
}

/** A file's size in the interface's units ("235 Ko", "4,1 MB"). */
export function fileSize(bytes) {
  return bytes >= 1048576
    ? t('common.mb', { n: number(Math.round(bytes / 104857.6) / 10) })
    : t('common.kb', { n: number(Math.ceil(bytes / 1024)) });
}
