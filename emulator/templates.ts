/**
 * Layer templates: in the Plaid Dashboard a template decides which data a partner asks for, and
 * therefore which users Layer can serve. The emulator models the part that changes eligibility.
 */

/** Identity fields a template can require. `ssn` covers both `ssn` and `ssn_last_4`. */
export const LAYER_FIELDS = ['name', 'address', 'email', 'date_of_birth', 'ssn'] as const;
export type LayerField = (typeof LAYER_FIELDS)[number];

export interface LayerTemplate {
  /** Identity fields the user must have for `LAYER_READY`. */
  requiredFields: readonly LayerField[];
  /** `required`: the user must have a bank to share; `optional`: identity alone is enough. */
  accounts: 'required' | 'optional';
  /** Whether a date of birth may be submitted after `LAYER_NOT_AVAILABLE`; default `true`. */
  extendedAutofill?: boolean;
  /** The partner's name as Link shows it; default "Demo Partner". */
  clientName?: string;
}

/** The default template: asks for everything but email (which Plaid does not return yet). */
export const EMULATOR_TEMPLATE_ID = 'template_emulator';

/**
 * A template that only needs a name and lets the user skip bank accounts: with it, the
 * no-profile number 415-555-0000 reaches `LAYER_READY` through Extended Autofill.
 */
export const EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID = 'template_emulator_accounts_optional';

export const DEFAULT_CLIENT_NAME = 'Demo Partner';

export const DEFAULT_TEMPLATES: Readonly<Record<string, LayerTemplate>> = {
  [EMULATOR_TEMPLATE_ID]: {
    requiredFields: ['name', 'address', 'date_of_birth', 'ssn'],
    accounts: 'required',
  },
  [EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID]: {
    requiredFields: ['name'],
    accounts: 'optional',
  },
};

/**
 * The template with this id, if one is configured. An own-property lookup: a client-chosen id such
 * as `toString` or `__proto__` must be an unknown template, not an `Object.prototype` member.
 */
export function findTemplate(
  templates: Readonly<Record<string, LayerTemplate>>,
  templateId: string,
): LayerTemplate | undefined {
  return Object.hasOwn(templates, templateId) ? templates[templateId] : undefined;
}
