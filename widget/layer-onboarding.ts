import { html, nothing, type TemplateResult } from 'lit/html.js';

import { DEFAULT_API_BASE, DEFAULT_LINK_SCRIPT_SRC } from '../contract/index.js';
import { parseDateOfBirth } from './date-of-birth.js';
import { DEV } from './dev.js';
import { warnOnce } from './diagnostics.js';
import { ElementBase, type PropertyDeclarations, type PropertyValues } from './element-base.js';
import { fillForm, prefillPhone } from './fill-form.js';
import { DEFAULT_ELIGIBILITY_TIMEOUT, LayerFlow, type PreloadMode } from './layer-flow.js';
import { pageLang, pageScheme, watchPage } from './page-context.js';
import { isLayerCountry, normalizePhone } from './phone.js';
import { STATES, type FlowState, type LayerState } from './states.js';
import {
  hasStrings,
  LANGUAGES,
  stringsFor,
  withOverrides,
  type StringOverrides,
  type Strings,
} from './strings.js';
import { styles } from './styles.js';
import { VERSION } from './version.js';

const PRIVACY_POLICY_URL = 'https://plaid.com/legal/#end-user-privacy-policy';

/** `light` or `dark`: the colours for a light or a dark page; `auto` (default): read from the page. */
export type LayerTheme = 'light' | 'dark' | 'auto';

/**
 * What gets focus after the next render, because a change took it away from the visitor: the
 * field, "Try again", the finished state's summary or the fallback message, by selector.
 */
type FocusTarget = 'input' | '.retry' | '.done' | '.fallback';

/**
 * How long a repeated message stays away before it comes back: long enough for screen readers to
 * take the emptied live region as a change (100 ms is not always), short enough to feel at once.
 */
const REANNOUNCE_DELAY = 250;

/** A check in a circle: the finished state's mark. */
const SUCCESS_MARK = html`<svg class="mark" viewBox="0 0 24 24" aria-hidden="true">
  <circle cx="12" cy="12" r="11" fill="currentColor" />
  <path d="M7 12.5l3.2 3.2L17 9" />
</svg>`;

/**
 * Plaid Layer instant onboarding: takes a phone number, checks Layer eligibility and opens Plaid
 * Link, then hands the page a browser-safe profile to prefill its sign-up form. When Layer cannot
 * serve the visitor, it says so with `layer-fallback` and the page's own form takes over.
 *
 * The element is form-associated: inside a `<form>`, with a `name`, it submits the signed profile
 * token that the partner's back end verifies.
 *
 * @tag layer-onboarding
 *
 * @fires {CustomEvent<LayerStateChangeDetail>} layer-state-change - The state changed. `detail: { state, previous }`.
 * @fires {CustomEvent<LayerEligibleDetail>} layer-eligible - `LAYER_READY` arrived and Link opens. `detail: { via: 'phone' | 'date_of_birth' }`.
 * @fires {CustomEvent<LayerSuccessDetail>} layer-success - The backend returned the profile. `detail: { profile, items, token, linkSessionId }`.
 * @fires {CustomEvent<LayerFallbackDetail>} layer-fallback - Layer cannot serve this visitor; use your own form. `detail: { reason, phone? }`.
 * @fires {CustomEvent<LayerExitDetail>} layer-exit - Link closed without success. `detail: { error, metadata }`.
 * @fires {CustomEvent<LayerErrorDetail>} layer-error - The widget failed (token, script, Link, session exchange). `detail: { code, message, requestId?, linkSessionId? }`.
 * @fires {CustomEvent<LayerLinkEventDetail>} layer-event - Every Link event, without personal data. `detail: { eventName, metadata }`.
 *
 * @slot fallback - Replaces the message and the "Use a different number" button in state `fallback`, when the page's own form takes over.
 * @slot legal - Consent text under the form; a short Plaid notice by default.
 *
 * @csspart form - The phone or date-of-birth form.
 * @csspart label - The field's label.
 * @csspart input - The phone or date-of-birth input.
 * @csspart button - The submit button (and "Try again" after an error).
 * @csspart link-button - The quiet buttons: "Use a different number", "Fill in the form myself".
 * @csspart status - The live status line ("Checking your number…"), with the spinner in busy states.
 * @csspart spinner - The spinner in busy states (still under `prefers-reduced-motion`).
 * @csspart done - The finished state: success mark, heading and summary.
 * @csspart error - The error message, announced when it appears.
 * @csspart fallback - The fallback message and its button.
 *
 * @cssprop --layer-onboarding-font-family - Font of the whole element. Default: inherited.
 * @cssprop --layer-onboarding-color - Text color. Default: inherited (light and dark).
 * @cssprop --layer-onboarding-muted-color - Hints and legal text. Default: `#5b6472`; dark `#aab2bf`.
 * @cssprop --layer-onboarding-background - Background of the element. Default: transparent (light and dark).
 * @cssprop --layer-onboarding-padding - Padding of the element. Default: `0`.
 * @cssprop --layer-onboarding-gap - Space between rows. Default: `0.5rem`.
 * @cssprop --layer-onboarding-radius - Corner radius of input and button. Default: `0.5rem`.
 * @cssprop --layer-onboarding-border-color - Input border. Default: `#8a8f98`; dark `#8b93a1`.
 * @cssprop --layer-onboarding-input-background - Input background. Default: `#fff`; dark `#1d2129`.
 * @cssprop --layer-onboarding-input-color - Typed text. Default: `#111827`; dark `#f3f4f6`.
 * @cssprop --layer-onboarding-accent - Button background. Default: `#111827`; dark `#f3f4f6`.
 * @cssprop --layer-onboarding-accent-contrast - Button text. Default: `#fff`; dark `#111827`.
 * @cssprop --layer-onboarding-focus-color - Focus ring. Default: `#2563eb`; dark `#7cb4ff`.
 * @cssprop --layer-onboarding-error-color - Error text and invalid border. Default: `#b42318`; dark `#ff9c8f`.
 * @cssprop --layer-onboarding-success-color - Success mark and heading. Default: `#067647`; dark `#5ee0a0`.
 * @cssprop --layer-onboarding-label-weight - Label font weight. Default: `600`.
 * @cssprop --layer-onboarding-max-width - Widest the content grows. Default: `32rem`.
 *
 * @example
 * <script src="/layer-onboarding.js"></script>
 * <form action="/signup" method="post">
 *   <layer-onboarding api="/api/layer" name="layer_token">
 *     <p slot="fallback">No problem, fill in the form below.</p>
 *   </layer-onboarding>
 * </form>
 * <script>
 *   document.querySelector('layer-onboarding').addEventListener('layer-success', (event) => {
 *     console.log(event.detail.profile.name);
 *   });
 * </script>
 */
export class LayerOnboarding extends ElementBase {
  static override styles = styles;

  static override properties: PropertyDeclarations = {
    api: {},
    linkScriptSrc: { attribute: 'link-script-src' },
    phone: {},
    preload: {},
    noAutofill: { type: Boolean, attribute: 'no-autofill' },
    eligibilityTimeout: { type: Number, attribute: 'eligibility-timeout' },
    allowWebview: { type: Boolean, attribute: 'allow-webview' },
    name: { reflect: true },
    theme: {},
    strings: { attribute: false },
    fillForm: { attribute: 'fill-form' },
    // Internal state: re-renders, no attribute.
    invalidField: { attribute: false },
    phoneValue: { attribute: false },
    dobValue: { attribute: false },
    formDisabled: { attribute: false },
  };

  static formAssociated = true;

  /** The package version of this element, e.g. `0.2.0`. */
  static readonly version: string = VERSION;

  /** Lit observes its own properties; `lang` is native and re-renders the strings. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /** Base URL of the backend routes (`POST {api}/link-token`, `POST {api}/session`). */
  api: string = DEFAULT_API_BASE;

  /** Where Plaid Link's script comes from. */
  linkScriptSrc: string = DEFAULT_LINK_SCRIPT_SRC;

  /** Prefilled phone number. */
  phone = '';

  /** `eager`: prepare Link on connect; `intent`: on the first focus or input. */
  preload: PreloadMode = 'eager';

  /** Skip the date-of-birth (Extended Autofill) step after `LAYER_NOT_AVAILABLE`. */
  noAutofill = false;

  /** Milliseconds to wait for Link's eligibility answer before falling back with `timeout`. */
  eligibilityTimeout = DEFAULT_ELIGIBILITY_TIMEOUT;

  /**
   * Run even in a mobile app's webview or an in-app browser (Facebook, Instagram, TikTok…), where
   * Plaid does not support Layer and the element otherwise falls back at once.
   */
  allowWebview = false;

  /** Form field name; the submitted value is the signed profile token. */
  name?: string;

  /**
   * The page behind the element: `light`, `dark`, or `auto` (default), which reads it from the
   * text colour the element inherits, so a page that follows `prefers-color-scheme` is followed.
   */
  theme: LayerTheme = 'auto';

  /**
   * Replaces any of the element's words, in every language, e.g.
   * `{ phoneHint: 'We text you a code.', status: { checking: 'One moment…' } }`.
   */
  strings: StringOverrides = {};

  /**
   * The id (or `name`) of a form to fill on success: each control with a `data-layer-field`
   * (`first_name`, `address.city`, `date_of_birth`, …) gets that profile field and fires `input` and
   * `change`, before `layer-success`. On fallback its empty `phone_number` control gets the number typed.
   */
  fillForm?: string;

  /** The current state, read-only (reflected to the `state` attribute). */
  get state(): LayerState {
    return this.#flow.state.name;
  }

  /** The signed profile token after `layer-success`, otherwise `''`. Also the form value. */
  get value(): string {
    const state = this.#flow.state;
    return state.name === 'complete' ? state.result.token : '';
  }

  // `nonce` (CSP nonce for the injected Link script) and `lang` (UI language, `en` or `es`) are
  // the native HTMLElement properties: the browser hides a nonce attribute after parsing but keeps
  // the `nonce` property, so a Lit property would lose it.

  /** Which field holds an invalid value, if any. */
  private invalidField: 'phone' | 'dob' | null = null;

  private phoneValue = '';

  private dobValue = '';

  private formDisabled = false;

  /** `theme`, or with `auto` what the page looks like, read before each render. */
  #scheme: 'light' | 'dark' = 'light';

  #unwatchPage: (() => void) | null = null;

  get #input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input');
  }

  // Test DOMs lack parts of it: jsdom before 23.1 (Jest 29's) attachInternals, jsdom setFormValue.
  readonly #internals: Partial<ElementInternals> | undefined = this.attachInternals?.();

  readonly #flow = new LayerFlow(this, {
    onTransition: (state, previous) => this.#handleTransition(state, previous),
  });

  /** What gets focus after the next render, because a change took it away from the visitor. */
  #focusNext: FocusTarget | null = null;

  /** The timer that brings back a repeated invalid entry's message (`#markInvalid`), or 0. */
  #messageBack = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('state', this.state);
    // A `lang` or a page theme that changes later is followed.
    this.#unwatchPage = watchPage(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unwatchPage?.();
    this.#unwatchPage = null;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('phone')) this.phoneValue = this.phone;
    // A new api, link-script-src or preload is followed (layer-flow.ts).
    this.#flow.hostUpdate();
    this.#scheme = this.theme === 'light' || this.theme === 'dark' ? this.theme : pageScheme(this);
  }

  override updated(): void {
    // The field shows the step's value whenever the two differ (what Lit's `live` directive does):
    // after a reset, a correction, or a submit from script, not only when the value changed.
    const input = this.#input;
    const value = input?.id === 'dob' ? this.dobValue : this.phoneValue;
    if (input && input.value !== value) input.value = value;
    const target = this.#focusNext;
    this.#focusNext = null;
    // Never from a page that has moved focus elsewhere meanwhile (a partner's own form, say). Focus
    // with us shows as this element in its own root, which is another component's shadow root when
    // nested: the page's activeElement is then that component.
    const active = document.activeElement;
    const near = (this.getRootNode() as Document | ShadowRoot).activeElement;
    if (!target || (active && active !== document.body && near !== this)) return;
    this.renderRoot.querySelector<HTMLElement>(target)?.focus();
    if (target === 'input') input?.select();
  }

  /** Called by the browser when the owning form is reset. */
  formResetCallback(): void {
    this.reset();
  }

  /** Called by the browser when a surrounding fieldset or form is disabled. */
  formDisabledCallback(disabled: boolean): void {
    this.formDisabled = disabled;
  }

  /**
   * Reflects a new state, and fills the partner's form (`fill-form`): the profile on success, the
   * number the visitor typed on fallback or error. All before `layer-state-change` and the
   * outcome's event reach the page's listeners.
   */
  #handleTransition(state: FlowState, previous: FlowState): void {
    this.#focusNext = this.#focusAfter(state.name, previous.name) ?? this.#focusNext;
    this.setAttribute('state', state.name);
    this.#internals?.setFormValue?.(state.name === 'complete' ? state.result.token : null);
    if (DEV && state.name === 'complete' && this.name && this.#internals?.form?.method === 'get')
      warnOnce(
        'get-form',
        'its form submits with GET (a form\'s default): a plain submit would put the profile token, which anyone can read, in the URL. Give the form method="post".',
      );
    const phone = 'phone' in state ? state.phone : null;
    const form = (state.name === 'complete' || phone) && this.#formToFill();
    if (!form) return;
    if (state.name === 'complete') fillForm(form, state.result.profile);
    else if (phone) prefillPhone(form, phone);
  }

  /** The form `fill-form` names: by id in this element's tree or the document, or by name. */
  #formToFill(): HTMLFormElement | null {
    const id = this.fillForm;
    if (!id) return null;
    const root = this.getRootNode() as Partial<DocumentOrShadowRoot & NonElementParentNode>;
    const form = [root.getElementById?.(id), document.getElementById(id), document.forms.namedItem(id)].find(
      (node) => node?.localName === 'form',
    );
    if (DEV && !form)
      warnOnce(`fill-form:${id}`, `fill-form="${id}" names no <form> id or name here: nothing is filled.`);
    return (form as HTMLFormElement | undefined) ?? null;
  }

  /**
   * Typing in the phone or the date-of-birth field (the input's id says which), or an autofill that
   * fires only `change`: the field's value is kept, so a render does not put back an older one.
   */
  #handleInput(event: Event): void {
    const { id, value } = event.target as HTMLInputElement;
    if (id === 'dob') this.dobValue = value;
    else this.phoneValue = value;
    if (this.invalidField === id) this.invalidField = null;
  }

  /**
   * The submit button's click, which Enter in the field also fires (implicit submission), taken
   * before the form submits: a page sandboxed without `allow-forms` blocks a form's submission
   * before its `submit` event, which left "Continue" doing nothing there. Also the form's `submit`,
   * which only a script's `requestSubmit()` (or a test DOM's) still fires: it must not navigate.
   */
  #handleSubmit(event: Event): void {
    event.preventDefault();
    // While busy the submit button stays focusable (aria-disabled) and a press still lands here:
    // the flow takes no submit then (states.ts `accepts`), so it sends nothing a second time.
    // What the field shows: a password manager may fill it without any event.
    const { id, value } = this.#input!;
    if (id === 'dob') this.submitDateOfBirth(value);
    else this.submitPhone(value);
    if (this.invalidField || this.#messageBack) {
      this.#focusNext = 'input';
      this.requestUpdate(); // the same invalid entry again changes no property
    }
  }

  #handleSkip(): void {
    this.#flow.skip();
  }

  /** "Try again": the same number again when there was one, otherwise a fresh phone step. */
  #handleRetry(): void {
    const state = this.#flow.state;
    const typed = this.phoneValue;
    this.reset();
    if (state.name === 'error' && state.phone) this.submitPhone(typed || state.phone);
  }

  /** "Use a different number": the phone step again, holding what the visitor typed, to correct. */
  #handleChangeNumber(): void {
    const state = this.#flow.state;
    const typed = this.phoneValue || ('phone' in state && state.phone) || this.phone;
    this.reset();
    this.phoneValue = typed;
    this.#focusNext = 'input';
  }

  /**
   * Keeps keyboard and screen-reader users in place when a state change replaces or follows the
   * control they were on: the new date-of-birth field; the phone field when Link closes or after
   * "Try again"; "Try again" when the flow they were in fails; the summary when it succeeds; the
   * message when it falls back. Never on page load: an outcome while nobody uses the element does
   * not steal focus.
   */
  #focusAfter(state: LayerState, previous: LayerState): FocusTarget | null {
    const focusInside = this.renderRoot.activeElement !== null;
    const visitorWasInFlow = STATES[previous].busy || STATES[previous].accepts === 'date_of_birth';
    const visitorHere = focusInside || visitorWasInFlow;
    if (STATES[state].accepts === 'date_of_birth') return 'input';
    if (previous === 'open' && state === 'loading') return 'input'; // the visitor closed Link
    if (state === 'error' && visitorHere) return '.retry';
    if (state === 'complete' && visitorHere) return '.done';
    if (state === 'fallback' && visitorHere) return '.fallback';
    if (previous === 'error' && focusInside) return 'input';
    return null;
  }

  /**
   * Marks the field that holds an invalid `value`, or none. The same invalid entry submitted again
   * would change nothing a screen reader hears: a live region is announced when its text changes,
   * and one emptied and filled again at once has not changed by the time the browser passes it to
   * the accessibility tree (in batches). So the message goes, and comes back a moment later unless
   * the visitor has changed the entry meanwhile; the blink shows a sighted visitor the press too.
   */
  #markInvalid(field: 'phone' | 'dob' | null, value: string): void {
    const again = field && (field === this.invalidField || this.#messageBack);
    this.invalidField = again ? null : field;
    if (again) {
      clearTimeout(this.#messageBack);
      this.#messageBack = window.setTimeout(() => {
        this.#messageBack = 0;
        // Not once the visitor has changed the entry, or gone back to another step.
        if (this.#input?.value === value && this.#input.id === field) this.invalidField = field;
      }, REANNOUNCE_DELAY);
    }
  }

  /**
   * Normalises and submits a phone number. An invalid number shows an inline message and submits
   * nothing. Before Link has loaded the submit waits for it. Returns whether it was submitted.
   */
  submitPhone(phone: string): boolean {
    this.phoneValue = phone;
    const phoneNumber = normalizePhone(phone);
    this.#markInvalid(phoneNumber ? null : 'phone', phone);
    return !!phoneNumber && this.#flow.submitPhone(phoneNumber);
  }

  /**
   * Submits a date of birth (`YYYY-MM-DD`, or `MM/DD/YYYY` as typed) in the date-of-birth step.
   * Returns whether it was submitted.
   */
  submitDateOfBirth(isoDate: string): boolean {
    this.dobValue = isoDate;
    const dateOfBirth = parseDateOfBirth(isoDate);
    this.#markInvalid(dateOfBirth ? null : 'dob', isoDate);
    return !!dateOfBirth && this.#flow.submitDateOfBirth(dateOfBirth);
  }

  /** Starts over from any state: Link is torn down and, when connected, prepared again. */
  reset(): void {
    this.invalidField = null;
    this.phoneValue = this.phone;
    this.dobValue = '';
    this.#flow.reset();
  }

  override render(): TemplateResult {
    const lang = pageLang(this) || document.documentElement.lang;
    const t = withOverrides(stringsFor(lang), this.strings);
    if (DEV && lang && !hasStrings(lang))
      warnOnce(
        `lang:${lang}`,
        `no translation for lang="${lang}": showing English (${LANGUAGES.join(', ')} available). Set the strings property to use your own words.`,
      );
    const state = this.#flow.state;
    const { busy, outcome } = STATES[state.name];
    const dobStep = state.name === 'dob' || (state.name === 'checking' && state.step === 'date_of_birth');
    const error =
      state.name === 'error'
        ? t.errors[state.kind]
        : this.invalidField
          ? t[`${this.invalidField}Invalid` as const]
          : '';
    const status = t.status[state.name]; // Lit renders a missing one (undefined) as nothing
    // English standing in for a language the element does not speak is marked as English, so a
    // screen reader does not read it with that language's voice; a partner's own words keep the
    // page's language. `dir="auto"`: its words (left to right, English or Spanish, or right to
    // left, a partner's) set their direction, not the page's; slots follow what they are given.
    const standIn = !hasStrings(lang) && !Object.keys(this.strings || 0).length;
    return html`<div class="root" data-scheme=${this.#scheme} dir="auto" lang=${standIn ? 'en' : nothing}>
      ${outcome ? nothing : this.#renderField(t, busy, dobStep ? 'dob' : 'phone')}
      <div part="status" class="status" role="status" ?hidden=${outcome && state.name !== 'complete'}>
        ${
          state.name === 'complete'
            ? this.#renderDone(t, state.result.profile.name?.first_name)
            : html`${busy ? html`<span part="spinner" class="spinner" aria-hidden="true"></span>` : nothing}${status}`
        }
      </div>
      <p part="error" class="error" id="error" role="alert">${error}</p>
      ${
        state.name === 'error'
          ? html`<div class="actions">
              <button
                part="button"
                class="retry"
                type="button"
                ?disabled=${this.formDisabled}
                @click=${this.#handleRetry}
              >
                ${t.retry}
              </button>
              ${state.phone ? this.#renderChangeNumber(t) : nothing}
            </div>`
          : nothing
      }
      <div class="legal" ?hidden=${outcome}>
        <slot name="legal" dir="auto">
          ${t.legal}
          <a href=${PRIVACY_POLICY_URL} target="_blank" rel="noopener noreferrer">${t.legalLink}</a>
        </slot>
      </div>
      <div part="fallback" class="fallback" tabindex="-1" ?hidden=${state.name !== 'fallback'}>
        <slot name="fallback" dir="auto"
          >${state.name === 'fallback' ? this.#renderFallback(t, state) : nothing}</slot
        >
      </div>
    </div>`;
  }

  /**
   * The phone step or the date-of-birth step: one form, its words and how its input asks for the
   * value (keyboard, autofill) by step. The `aria-busy`, `aria-invalid` and `aria-disabled`
   * bindings take booleans, which Lit writes as `true` and `false`. While busy the submit button is
   * `aria-disabled`, not `disabled`: a disabled button loses focus, which would drop the visitor who
   * just pressed it to the top of the page (WCAG 2.4.3); the field is read-only, for the same reason.
   */
  #renderField(t: Strings, busy: boolean, field: 'phone' | 'dob'): TemplateResult {
    const phone = field === 'phone';
    const disabled = this.formDisabled;
    return html`
      <form part="form" novalidate aria-busy=${busy} @submit=${this.#handleSubmit}>
        <label part="label" for=${field}>${t[`${field}Label` as const]}</label>
        <p class="hint" id="${field}-hint">${t[`${field}Hint` as const]}</p>
        <div class="row">
          <input
            part="input"
            id=${field}
            type=${phone ? 'tel' : 'text'}
            inputmode=${phone ? 'tel' : 'numeric'}
            autocomplete=${phone ? 'tel' : 'bday'}
            placeholder=${phone ? nothing : t.dobPlaceholder}
            aria-describedby="${field}-hint error"
            aria-invalid=${this.invalidField === field}
            ?readonly=${busy}
            ?disabled=${disabled}
            @input=${this.#handleInput}
            @change=${this.#handleInput}
          />
          <button
            part="button"
            type="submit"
            ?disabled=${disabled}
            aria-disabled=${busy}
            @click=${this.#handleSubmit}
          >
            ${t[`${field}Submit` as const]}
          </button>
        </div>
        ${
          phone
            ? nothing
            : html`<div class="actions">
                <button
                  part="link-button"
                  class="link skip"
                  type="button"
                  ?disabled=${busy || disabled}
                  @click=${this.#handleSkip}
                >
                  ${t.dobSkip}
                </button>
                ${this.#renderChangeNumber(t, busy)}
              </div>`
        }
      </form>
    `;
  }

  #renderChangeNumber(t: Strings, busy = false): TemplateResult {
    return html`<button
      part="link-button"
      class="link change-number"
      type="button"
      ?disabled=${busy || this.formDisabled}
      @click=${this.#handleChangeNumber}
    >
      ${t.changeNumber}
    </button>`;
  }

  /** The finished state: a mark, who it was for, and what to do next. Focused when the visitor was here. */
  #renderDone(t: Strings, firstName: string | null | undefined): TemplateResult {
    return html`<div part="done" class="done" tabindex="-1">
      ${SUCCESS_MARK}
      <div>
        <p class="done-title">
          ${firstName ? t.doneTitle.replace('{name}', () => firstName) : t.doneTitleNoName}
        </p>
        <p>${t.doneText}</p>
      </div>
    </div>`;
  }

  /** The default fallback content: why, briefly, and a way to correct the number when it may help. */
  #renderFallback(t: Strings, state: Extract<FlowState, { name: 'fallback' }>): TemplateResult {
    const usOnly = state.phone !== null && !isLayerCountry(state.phone);
    const canCorrect = state.phone !== null && state.reason !== 'unsupported_environment';
    return html`<p>${usOnly ? t.fallbackUsOnly : t.fallback}</p>
      ${canCorrect ? this.#renderChangeNumber(t) : nothing}`;
  }
}
