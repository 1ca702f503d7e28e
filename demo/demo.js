/* global document, FormData, Option */
// Northwind Bank's own page script: what a partner writes around <layer-onboarding>. It prefills
// the sign-up form on `layer-success`, hands over to it on `layer-fallback`, and logs every event
// for developers. Plain browser JavaScript, no build step.
'use strict';

(() => {
  // prettier-ignore
  const STATES = ['AL','AK','AZ','AR','CA','CO','CT','DE','DC','FL','GA','HI','ID','IL','IN','IA','KS','KY','LA','ME','MD','MA','MI','MN','MS','MO','MT','NE','NV','NH','NJ','NM','NY','NC','ND','OH','OK','OR','PA','RI','SC','SD','TN','TX','UT','VT','VA','WA','WV','WI','WY'];

  const FALLBACK_TEXT = {
    not_eligible: 'We could not find a Plaid profile for that number. Please fill in the form below.',
    autofill_not_available: 'We could not find your details. Please fill in the form below.',
    authentication_failed: 'We could not verify your phone number. Please fill in the form below.',
    exit: 'No problem. Please fill in the form below.',
    unsupported_environment:
      'Instant sign-up does not work in this app’s browser. Please fill in the form below.',
    timeout: 'Plaid is taking too long to answer. Please fill in the form below.',
    error: 'Instant sign-up is not available right now. Please fill in the form below.',
  };

  const LAYER_EVENTS = [
    'layer-state-change',
    'layer-eligible',
    'layer-success',
    'layer-fallback',
    'layer-exit',
    'layer-error',
    'layer-event',
  ];

  const widget = document.querySelector('layer-onboarding');
  const form = document.getElementById('application');
  const log = document.getElementById('event-log');
  const noticeSuccess = document.getElementById('notice-success');
  const noticeMissing = document.getElementById('notice-missing');
  /** The fields a Plaid profile can fill, in the form's order (the optional second line left out). */
  const PREFILLED = [
    'first-name',
    'last-name',
    'email',
    'phone',
    'dob',
    'ssn-last-4',
    'street',
    'city',
    'region',
    'postal-code',
  ];
  const fallbackText = document.getElementById('fallback-text');

  const region = document.getElementById('region');
  for (const code of STATES) region.add(new Option(code, code));

  // ── the partner's reaction to the widget ──

  widget.addEventListener('layer-success', (event) => {
    const { profile } = event.detail;
    const name = profile.name ?? {};
    const address = profile.address ?? {};
    fill('first-name', name.first_name);
    fill('last-name', name.last_name);
    fill('email', profile.email);
    fill('phone', formatPhone(profile.phone_number));
    fill('dob', profile.date_of_birth);
    fill('ssn-last-4', profile.ssn_last_4);
    fill('street', address.street);
    fill('street2', address.street2);
    fill('city', address.city);
    fill('region', address.region);
    fill('postal-code', address.postal_code);
    // Plaid shares what the visitor has on file: never an email, and some profiles lack more.
    const missing = PREFILLED.filter((id) => !document.getElementById(id).value).map(labelOf);
    noticeMissing.textContent = missing.length ? ` Please add: ${missing.join(', ')}.` : '';
    noticeSuccess.classList.add('shown');
  });

  widget.addEventListener('layer-fallback', (event) => {
    // The widget shows this in its fallback slot; the form below takes over.
    fallbackText.textContent = FALLBACK_TEXT[event.detail.reason] ?? FALLBACK_TEXT.error;
    // The number the visitor already typed saves them typing it again.
    if (event.detail.phone) fill('phone', formatPhone(event.detail.phone));
    // Move on to the form only if the visitor was using the widget, never on page load.
    if (document.activeElement === widget) document.getElementById('first-name').focus();
  });

  function fill(id, value) {
    if (value === null || value === undefined || value === '') return;
    const input = document.getElementById(id);
    input.value = value;
    input.closest('.field').classList.add('prefilled');
  }

  function labelOf(id) {
    return document.querySelector(`label[for="${id}"]`).textContent.replace(/\s*\(optional\)$/, '');
  }

  function formatPhone(e164) {
    const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164 ?? '');
    return match ? `(${match[1]}) ${match[2]}-${match[3]}` : e164;
  }

  form.addEventListener('input', (event) => {
    event.target.closest?.('.field')?.classList.remove('prefilled');
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    record('form submit', {
      fields: [...data.keys()].length,
      layer_token: data.get('layer_token') ? 'signed profile token attached' : 'none',
    });
  });

  // ── the developer event log ──

  for (const type of LAYER_EVENTS) {
    widget.addEventListener(type, (event) => record(type, summarize(type, event.detail)));
  }

  function summarize(type, detail) {
    switch (type) {
      case 'layer-state-change':
        return `${detail.previous} → ${detail.state}`;
      case 'layer-event':
        return [detail.eventName, detail.metadata.view_name].filter(Boolean).join(' ');
      case 'layer-success':
        return {
          name: detail.profile.name,
          items: detail.items.length,
          token: `${detail.token.slice(0, 16)}…`,
          linkSessionId: detail.linkSessionId,
        };
      default:
        return detail;
    }
  }

  function record(name, detail) {
    log.querySelector('.empty')?.remove();
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString([], { hour12: false });
    const label = document.createElement('span');
    label.className = /error|fallback|exit/.test(name) ? 'name bad' : 'name';
    label.textContent = name;
    const text = document.createElement('span');
    text.className = 'detail';
    text.textContent = typeof detail === 'string' ? detail : JSON.stringify(detail);
    const item = document.createElement('li');
    item.append(time, label, text);
    log.prepend(item);
  }
})();
