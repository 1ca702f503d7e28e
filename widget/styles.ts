// Colours come in two sets, for light and for dark pages (`.root[data-scheme]`, chosen by the
// `theme` property). Each `--layer-onboarding-*` property overrides its colour in both; the
// private `--_*` properties hold the defaults. Every pair meets WCAG AA on a white page (light) and
// on a #111 page (dark): text 4.5:1, borders and the focus ring 3:1.
export const styles = /* css */ `
  :host {
    display: block;
    box-sizing: border-box;
    padding: var(--layer-onboarding-padding, 0);
    background: var(--layer-onboarding-background, transparent);
    font-family: var(--layer-onboarding-font-family, inherit);
    color: var(--layer-onboarding-color, inherit);
    /* Text the page's container would pass down and break the layout with: font-size 0 (the
       inline-block gap trick), white-space nowrap or pre (a toolbar's, a table cell's), a
       text-indent (an article's paragraphs; a negative, hanging one puts the first line of each
       label, hint and message outside the element, beyond the page's left edge at 320 px). */
    font-size: max(1em, 12px);
    line-height: 1.4;
    white-space: normal;
    overflow-wrap: break-word;
    text-indent: 0;
  }

  :host([hidden]),
  [hidden] {
    display: none !important;
  }

  .root {
    --_muted: #5b6472;
    --_border: #8a8f98;
    --_input-bg: #fff;
    /* The typed text, and the button's background: one colour in both sets. */
    --_ink: #111827;
    --_on-accent: #fff;
    --_focus: #2563eb;
    --_error: #b42318;
    --_success: #067647;
    --_on-success: #fff;
    max-width: var(--layer-onboarding-max-width, 32rem);
    color-scheme: light;
  }

  .root[data-scheme='dark'] {
    --_muted: #aab2bf;
    --_border: #8b93a1;
    --_input-bg: #1d2129;
    --_ink: #f3f4f6;
    --_on-accent: #111827;
    --_focus: #7cb4ff;
    --_error: #ff9c8f;
    --_success: #5ee0a0;
    --_on-success: #0b1f14;
    color-scheme: dark;
  }

  /* The element's rows, and the form's. */
  .root,
  form {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  label {
    font-weight: var(--layer-onboarding-label-weight, 600);
  }

  p {
    margin: 0;
    text-wrap: pretty;
  }

  .hint,
  .legal {
    font-size: 0.875em;
    color: var(--layer-onboarding-muted-color, var(--_muted));
  }

  .legal {
    font-size: 0.8em;
  }

  .legal a {
    color: inherit;
  }

  /* Mobile first: the button under the field, full width; beside it once both fit on one line
     (a flex wrap rather than a container query: size containment would collapse the element in
     a shrink-to-fit parent, such as a flex row without a width). */
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  /* The field takes the row; the submit button grows only when it wraps under the field. */
  .row button {
    flex: auto;
  }

  input {
    flex: 999 1 12rem;
    min-width: 0;
    box-sizing: border-box;
    font: inherit;
    color: var(--layer-onboarding-input-color, var(--_ink));
    padding: 0.65em 0.8em;
    background: var(--layer-onboarding-input-background, var(--_input-bg));
    border: 1px solid var(--layer-onboarding-border-color, var(--_border));
    border-radius: var(--layer-onboarding-radius, 0.5rem);
  }

  input::placeholder {
    color: var(--layer-onboarding-muted-color, var(--_muted));
    opacity: 1;
  }

  input[aria-invalid='true'] {
    border-color: var(--layer-onboarding-error-color, var(--_error));
  }

  input[readonly] {
    opacity: 0.75;
  }

  button {
    font: inherit;
    font-weight: 600;
    padding: 0.65em 1.25em;
    /* Invisible, except in forced colours (Windows High Contrast), which colour it in: there the
       background is replaced by the page's and this edge is all that shows the button. */
    border: 1px solid transparent;
    border-radius: var(--layer-onboarding-radius, 0.5rem);
    background: var(--layer-onboarding-accent, var(--_ink));
    color: var(--layer-onboarding-accent-contrast, var(--_on-accent));
    cursor: pointer;
  }

  button:disabled,
  [aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }

  [aria-busy='true'] button {
    cursor: progress;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--layer-onboarding-gap, 0.5rem) 1.25em;
  }

  .link {
    text-align: start;
    padding: 0.25em 0;
    background: none;
    color: inherit;
    font-weight: 400;
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }

  /* Forced colours grey out a disabled button (GrayText): so too the submit button, which stays
     focusable while busy (aria-disabled) so that focus is not dropped to the page's top. They draw
     the quiet buttons' transparent border too, which then needs room from their text. */
  @media (forced-colors: active) {
    [aria-disabled='true'] {
      color: GrayText;
      border-color: GrayText;
    }

    .link {
      padding-inline: 0.5em;
    }
  }

  /* Every element here that takes focus: the input, the buttons, the link, and the summary and
     the fallback message (tabindex -1, focused from script; see below). */
  :focus-visible {
    outline: 2px solid var(--layer-onboarding-focus-color, var(--_focus));
    outline-offset: 2px;
  }

  .done:focus,
  .fallback:focus {
    outline: none;
  }

  .status,
  .error {
    font-size: 0.9em;
  }

  .error:empty {
    display: none;
  }

  /* Always there beside the form, so the line under it does not jump when checking starts. */
  .status {
    display: flex;
    align-items: center;
    gap: 0.5em;
    min-height: 1.4em;
  }

  .spinner {
    flex: none;
    width: 1em;
    height: 1em;
    box-sizing: border-box;
    border: 2px solid; /* in currentColor, border-color's initial value */
    border-right-color: transparent;
    /* Forced colours (Windows High Contrast) would colour the transparent side in, leaving a ring
       that does not seem to turn; currentColor is still the forced text colour. */
    forced-color-adjust: none;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }

  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
      border-style: dotted;
      border-right-color: currentColor;
    }
  }

  .done {
    display: flex;
    align-items: flex-start;
    gap: 0.75em;
    font-size: calc(1em / 0.9);
  }

  .mark {
    flex: none;
    width: 1.75em;
    height: 1.75em;
    color: var(--layer-onboarding-success-color, var(--_success));
  }

  .mark path {
    fill: none;
    stroke: var(--_on-success);
    stroke-width: 2.2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  .done-title {
    font-weight: 600;
    color: var(--layer-onboarding-success-color, var(--_success));
  }

  .error {
    color: var(--layer-onboarding-error-color, var(--_error));
  }

  .fallback {
    display: grid;
    justify-items: start;
    gap: 0.25em;
  }

  .fallback ::slotted(*) {
    margin: 0;
  }
`;
