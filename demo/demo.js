/* global document, window, FormData, Option, URL */
// Northwind Bank's own page script: what a partner writes around <layer-onboarding>. The widget
// fills the sign-up form itself (`fill-form="application"` and `data-layer-field` on each control,
// in index.html); this script marks what came from Plaid, says what is still missing, and logs every
// event for developers. On `layer-fallback` the widget shows its own message and puts the number the
// visitor typed into the phone field. Plain browser JavaScript, no build step.
'use strict';

(() => {
  // prettier-ignore
  const STATES = ['AL','AK','AZ','AR','CA','CO','CT','DE','DC','FL','GA','HI','ID','IL','IN','IA','KS','KY','LA','ME','MD','MA','MI','MN','MS','MO','MT','NE','NV','NH','NJ','NM','NY','NC','ND','OH','OK','OR','PA','RI','SC','SD','TN','TX','UT','VT','VA','WA','WV','WI','WY'];

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

  // Trusted Types, which this page enforces with the emulator (its CSP): the widget's own policy
  // vouches only for Link's script on this page's origin or Plaid's CDN, and the emulator serves it
  // from another origin, as Plaid's CDN is. The page wrote that URL into its own HTML, so it vouches
  // for that one origin with a default policy, as README's "Trusted Types" tells partners to.
  const linkOrigin =
    widget && new URL(widget.getAttribute('link-script-src') || '/', document.baseURI).origin;
  if (window.trustedTypes && linkOrigin !== document.location.origin) {
    window.trustedTypes.createPolicy('default', {
      createScriptURL: (url) => (new URL(url, document.baseURI).origin === linkOrigin ? url : null),
      // Nothing else: null refuses and reports, as having no default policy would.
      createHTML: () => null,
      createScript: () => null,
    });
  }
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

  const region = document.getElementById('region');
  for (const code of STATES) region.add(new Option(code, code));

  // ── the partner's reaction to the widget ──

  // fill-form has filled the form by the time `layer-success` is heard.
  widget.addEventListener('layer-success', () => {
    // Plaid shares what the visitor has on file: never an email, and some profiles lack more.
    const missing = PREFILLED.filter((id) => !document.getElementById(id).value).map(labelOf);
    noticeMissing.textContent = missing.length ? ` Please add: ${missing.join(', ')}.` : '';
    noticeSuccess.classList.add('shown');
  });

  function labelOf(id) {
    return document.querySelector(`label[for="${id}"]`).textContent.replace(/\s*\(optional\)$/, '');
  }

  // fill-form's `input` events are the page's own (not trusted) and come just before
  // `layer-success`, when the widget is complete: those fields are marked "from Plaid". The
  // visitor's own typing takes the mark off; the number the widget puts back on fallback is theirs.
  form.addEventListener('input', (event) => {
    const fromPlaid = !event.isTrusted && widget.state === 'complete';
    event.target.closest?.('.field')?.classList.toggle('prefilled', fromPlaid);
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
