import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    font-family: var(--layer-onboarding-font-family, inherit);
    color: var(--layer-onboarding-color, inherit);
  }

  :host([hidden]) {
    display: none;
  }

  form {
    display: grid;
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  label {
    font-weight: var(--layer-onboarding-label-weight, 600);
  }

  .row {
    display: flex;
    gap: var(--layer-onboarding-gap, 0.5rem);
  }

  input {
    flex: 1;
    min-width: 0;
    font: inherit;
    padding: 0.6em 0.75em;
    border: 1px solid var(--layer-onboarding-border-color, #8a8f98);
    border-radius: var(--layer-onboarding-radius, 0.5rem);
  }

  button {
    font: inherit;
    padding: 0.6em 1.1em;
    border: 0;
    border-radius: var(--layer-onboarding-radius, 0.5rem);
    background: var(--layer-onboarding-accent, #111827);
    color: var(--layer-onboarding-accent-contrast, #fff);
    cursor: pointer;
  }

  input:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--layer-onboarding-focus-color, #2563eb);
    outline-offset: 2px;
  }
`;
