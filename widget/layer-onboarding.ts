import { LitElement, html } from 'lit';
import { property } from 'lit/decorators.js';

import { styles } from './styles.js';

/**
 * Plaid Layer instant onboarding: takes a phone number, checks Layer eligibility and opens Plaid
 * Link, then hands the partner page a browser-safe profile.
 *
 * @csspart form - The phone form.
 * @csspart label - The phone label.
 * @csspart input - The phone input.
 * @csspart button - The submit button.
 *
 * @example
 * <script src="/layer-onboarding.js"></script>
 * <layer-onboarding api="/api/layer"></layer-onboarding>
 */
export class LayerOnboarding extends LitElement {
  static override styles = styles;

  /** Base URL of the backend routes. */
  @property() api = '/api/layer';

  /** Prefilled phone number. */
  @property() phone = '';

  override render() {
    return html`
      <form part="form" novalidate>
        <label part="label" for="phone">Phone number</label>
        <div class="row">
          <input
            part="input"
            id="phone"
            name="phone"
            type="tel"
            inputmode="tel"
            autocomplete="tel"
            .value=${this.phone}
          />
          <button part="button" type="submit">Continue</button>
        </div>
      </form>
    `;
  }
}
