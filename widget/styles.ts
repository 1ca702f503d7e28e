import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    box-sizing: border-box;
    padding: var(--layer-onboarding-padding, 0);
    background: var(--layer-onboarding-background, transparent);
    font-family: var(--layer-onboarding-font-family, inherit);
    color: var(--layer-onboarding-color, inherit);
    line-height: 1.4;
  }

  :host([hidden]),
  [hidden] {
    display: none !important;
  }

  form {
    display: grid;
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  label {
    font-weight: var(--layer-onboarding-label-weight, 600);
  }

  .hint,
  .legal {
    margin: 0;
    font-size: 0.875em;
    color: var(--layer-onboarding-muted-color, #5b6472);
  }

  .legal {
    margin-top: var(--layer-onboarding-gap, 0.5rem);
    font-size: 0.8em;
  }

  .legal a {
    color: inherit;
  }

  .row {
    display: flex;
    flex-wrap: wrap;
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  input {
    flex: 1 1 12rem;
    min-width: 0;
    font: inherit;
    color: inherit;
    padding: 0.65em 0.8em;
    background: var(--layer-onboarding-input-background, #fff);
    border: 1px solid var(--layer-onboarding-border-color, #8a8f98);
    border-radius: var(--layer-onboarding-radius, 0.5rem);
  }

  input[aria-invalid='true'] {
    border-color: var(--layer-onboarding-error-color, #b42318);
  }

  input[readonly] {
    opacity: 0.7;
  }

  button {
    font: inherit;
    font-weight: 600;
    padding: 0.65em 1.25em;
    border: 0;
    border-radius: var(--layer-onboarding-radius, 0.5rem);
    background: var(--layer-onboarding-accent, #111827);
    color: var(--layer-onboarding-accent-contrast, #fff);
    cursor: pointer;
  }

  button:disabled {
    cursor: progress;
    opacity: 0.6;
  }

  button.skip {
    justify-self: start;
    padding: 0;
    background: none;
    color: inherit;
    font-weight: 400;
    text-decoration: underline;
  }

  input:focus-visible,
  button:focus-visible,
  a:focus-visible {
    outline: 2px solid var(--layer-onboarding-focus-color, #2563eb);
    outline-offset: 2px;
  }

  .status,
  .error {
    margin: 0;
    font-size: 0.9em;
  }

  .status:empty,
  .error:empty {
    display: none;
  }

  .status {
    margin-top: var(--layer-onboarding-gap, 0.5rem);
  }

  .status[data-state='complete'] {
    color: var(--layer-onboarding-success-color, #067647);
    font-weight: 600;
  }

  .error {
    margin-top: var(--layer-onboarding-gap, 0.5rem);
    color: var(--layer-onboarding-error-color, #b42318);
  }

  .retry {
    margin-top: var(--layer-onboarding-gap, 0.5rem);
  }

  .fallback {
    margin-top: var(--layer-onboarding-gap, 0.5rem);
  }

  .fallback ::slotted(*),
  .fallback p {
    margin: 0;
  }
`;
