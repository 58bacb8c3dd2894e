// First start: name this laptop and its facilitator, or open the demo programme.

import { api } from '../api.js';
import { el, clear, field, textInput, showError, clearErrors, trackDirty, markClean } from '../dom.js';

export function render(view, ctx, started) {
  const deviceName = textInput('device_name', '', { required: true, autofocus: true });
  const facilitator = textInput('facilitator', ctx.info?.facilitator ?? '', { required: true });
  const form = trackDirty(el('form', { class: 'card narrow', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'device name', label: 'first.device_name', input: deviceName, hint: 'first.device_hint' }),
    field({ field: 'facilitator', label: 'first.facilitator', input: facilitator }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'first.start' }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await api.setupDevice(deviceName.value, facilitator.value);
      markClean(form);
      await started();
    } catch (error) {
      showError(form, error);
    }
  });
  const demo = el('button', { type: 'button', class: 'secondary', id: 'open-demo', i18n: 'first.demo' });
  demo.addEventListener('click', async () => {
    demo.disabled = true;
    try {
      await api.openDemo();
      markClean(form);
      await started();
    } catch (error) {
      demo.disabled = false;
      showError(form, error);
    }
  });
  clear(view, 
    el('h1', { i18n: 'first.title' }),
    el('p', { class: 'lead', i18n: 'first.intro' }),
    form,
    el('p', { class: 'or', i18n: 'first.or' }),
    el('div', { class: 'card narrow' }, demo, el('p', { class: 'hint', i18n: 'first.demo_hint' })),
  );
  deviceName.focus();
}
