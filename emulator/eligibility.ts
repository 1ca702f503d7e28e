/**
 * Layer eligibility: what `submit({ phone_number })` and `submit({ date_of_birth })` answer, from
 * the Sandbox table and the template's requirements (LAYER.md §5).
 */
import {
  AUTOFILL_DATE_OF_BIRTH,
  AUTOFILL_IDENTITY,
  findSandboxUser,
  type SandboxBank,
  type SandboxIdentity,
} from './sandbox-users.js';
import type { LayerField, LayerTemplate } from './templates.js';

/** What Layer would share if the user goes on: identity (gaps filled by autofill) and banks. */
export interface LayerProfile {
  phone_number: string;
  identity: SandboxIdentity;
  banks: readonly SandboxBank[];
  /** Fields Extended Autofill supplied. */
  autofilled: readonly LayerField[];
}

export type PhoneCheck =
  { event: 'LAYER_READY'; profile: LayerProfile } | { event: 'LAYER_NOT_AVAILABLE'; reason: string };

export type DateOfBirthCheck =
  { event: 'LAYER_READY'; profile: LayerProfile } | { event: 'LAYER_AUTOFILL_NOT_AVAILABLE'; reason: string };

/** E.164, any country. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** A North American (+1) number, the only kind Layer serves. */
const NANP = /^\+1[2-9]\d{2}[2-9]\d{6}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const EMPTY_IDENTITY: SandboxIdentity = {
  name: null,
  address: null,
  email: null,
  date_of_birth: null,
  ssn: null,
};

export function missingFields(
  identity: SandboxIdentity | null,
  required: readonly LayerField[],
): LayerField[] {
  return required.filter((field) => (identity ?? EMPTY_IDENTITY)[field] === null);
}

export function checkPhone(phoneNumber: string, template: LayerTemplate): PhoneCheck {
  if (!NANP.test(phoneNumber)) return { event: 'LAYER_NOT_AVAILABLE', reason: 'not a +1 phone number' };
  const user = findSandboxUser(phoneNumber);
  if (!user?.identity) return { event: 'LAYER_NOT_AVAILABLE', reason: 'no Plaid profile for this number' };
  const missing = missingFields(user.identity, template.requiredFields);
  if (missing.length > 0)
    return { event: 'LAYER_NOT_AVAILABLE', reason: `profile lacks ${missing.join(', ')}` };
  if (template.accounts === 'required' && user.banks.length === 0)
    return { event: 'LAYER_NOT_AVAILABLE', reason: 'no bank account to share' };
  return {
    event: 'LAYER_READY',
    profile: { phone_number: phoneNumber, identity: user.identity, banks: user.banks, autofilled: [] },
  };
}

/**
 * Extended Autofill: after `LAYER_NOT_AVAILABLE`, a date of birth may find the user. Only the
 * Sandbox date {@link AUTOFILL_DATE_OF_BIRTH} does; it fills the gaps in the user's identity and
 * keeps the banks they have.
 */
export function checkDateOfBirth(
  phoneNumber: string | null,
  dateOfBirth: string,
  template: LayerTemplate,
): DateOfBirthCheck {
  const no = (reason: string) => ({ event: 'LAYER_AUTOFILL_NOT_AVAILABLE', reason }) as const;
  if (template.extendedAutofill === false) return no('the template does not use Extended Autofill');
  if (phoneNumber === null) return no('submit a phone number first');
  if (!NANP.test(phoneNumber)) return no('not a +1 phone number');
  if (!ISO_DATE.test(dateOfBirth)) return no('date_of_birth must be YYYY-MM-DD');
  if (dateOfBirth !== AUTOFILL_DATE_OF_BIRTH) return no('no profile for this date of birth');

  const user = findSandboxUser(phoneNumber);
  const banks = user?.banks ?? [];
  if (template.accounts === 'required' && banks.length === 0) return no('no bank account to share');

  const own = user?.identity ?? EMPTY_IDENTITY;
  const autofilled = missingFields(own, ['name', 'address', 'email', 'date_of_birth', 'ssn']);
  const identity: SandboxIdentity = {
    name: own.name ?? AUTOFILL_IDENTITY.name,
    address: own.address ?? AUTOFILL_IDENTITY.address,
    email: own.email ?? AUTOFILL_IDENTITY.email,
    date_of_birth: own.date_of_birth ?? dateOfBirth,
    ssn: own.ssn ?? AUTOFILL_IDENTITY.ssn,
  };
  return { event: 'LAYER_READY', profile: { phone_number: phoneNumber, identity, banks, autofilled } };
}

/** `/network/status/get`: does Plaid know this number at all? */
export function networkStatus(phoneNumber: string): 'RETURNING_USER' | 'UNKNOWN' {
  const user = findSandboxUser(phoneNumber);
  return user && (user.identity !== null || user.banks.length > 0) ? 'RETURNING_USER' : 'UNKNOWN';
}
