/**
 * The Layer Sandbox users: every phone number Plaid documents for testing Layer (LAYER.md §5), with
 * a profile shaped like `/user_account/session/get`'s `identity`.
 *
 * Plaid documents which data each number lacks, not the exact payloads, so the people below are
 * invented in the style of Plaid's own samples (Leslie Knope of Pawnee, IN). This module is plain
 * data with no Node or DOM imports, so browser tests can read it too.
 */

/** The one-time code every Sandbox number accepts. */
export const SANDBOX_OTP = '123456';

/** The date of birth that makes Extended Autofill find a profile after `LAYER_NOT_AVAILABLE`. */
export const AUTOFILL_DATE_OF_BIRTH = '1975-01-18';

export interface SandboxName {
  first_name: string;
  last_name: string;
}

export interface SandboxAddress {
  street: string;
  street2: string | null;
  city: string;
  region: string;
  postal_code: string;
  country: string;
}

/** The identity data Plaid holds for a user; `null` where that user lacks the field. */
export interface SandboxIdentity {
  name: SandboxName | null;
  address: SandboxAddress | null;
  email: string | null;
  date_of_birth: string | null;
  /** Nine digits, no dashes, as Plaid returns it. */
  ssn: string | null;
}

export interface SandboxAccount {
  name: string;
  mask: string;
  type: 'depository';
  subtype: 'checking' | 'savings';
}

/** A bank connection the user has in the Plaid network; sharing it creates an Item. */
export interface SandboxBank {
  institution_id: string;
  institution_name: string;
  accounts: readonly SandboxAccount[];
  /**
   * The bank connects through OAuth: sharing its accounts sends the user to the bank and back to
   * the link token's `redirect_uri` with `?oauth_state_id=…`.
   */
  oauth?: boolean;
}

export interface SandboxUser {
  /** E.164. */
  phone_number: string;
  /** Plaid's own one-line description of the number. */
  description: string;
  /** `null`: Plaid knows nothing about this number (no Plaid profile). */
  identity: SandboxIdentity | null;
  banks: readonly SandboxBank[];
}

const CHECKING: SandboxAccount = {
  name: 'Plaid Checking',
  mask: '0000',
  type: 'depository',
  subtype: 'checking',
};
const SAVING: SandboxAccount = { name: 'Plaid Saving', mask: '1111', type: 'depository', subtype: 'savings' };

// Plaid's Sandbox institutions and their ids.
const FIRST_PLATYPUS = { institution_id: 'ins_109508', institution_name: 'First Platypus Bank' };
const FIRST_GINGHAM = { institution_id: 'ins_109509', institution_name: 'First Gingham Credit Union' };
const TARTAN = { institution_id: 'ins_109511', institution_name: 'Tartan Bank' };
const HOUNDSTOOTH = { institution_id: 'ins_109512', institution_name: 'Houndstooth Bank' };
const PLATYPUS_OAUTH = { institution_id: 'ins_127287', institution_name: 'Platypus OAuth Bank', oauth: true };

/**
 * Not one of Plaid's documented Layer numbers: the emulator's user whose only bank connects through
 * OAuth, so an integration's redirect-and-resume path can be tested (see docs/plaid-fidelity.md).
 */
export const OAUTH_SANDBOX_PHONE = '+14155550031';

function pawnee(street: string): SandboxAddress {
  return { street, street2: null, city: 'Pawnee', region: 'IN', postal_code: '41006', country: 'US' };
}

/** What Extended Autofill finds for a +1 number with date of birth {@link AUTOFILL_DATE_OF_BIRTH}. */
export const AUTOFILL_IDENTITY: SandboxIdentity = {
  name: { first_name: 'Leslie', last_name: 'Knope' },
  address: pawnee('123 Main St.'),
  email: 'leslie@knope.com',
  date_of_birth: AUTOFILL_DATE_OF_BIRTH,
  ssn: '987654321',
};

/**
 * Every documented Layer Sandbox number (mind the 415 and 515 area codes), then the emulator's own
 * OAuth user {@link OAUTH_SANDBOX_PHONE}.
 */
export const SANDBOX_USERS: readonly SandboxUser[] = [
  {
    phone_number: '+14155550000',
    description: 'no identity, no bank data',
    identity: null,
    banks: [],
  },
  {
    phone_number: '+14155550011',
    description: 'default: full PII and two banks',
    identity: { ...AUTOFILL_IDENTITY },
    banks: [
      { ...FIRST_PLATYPUS, accounts: [CHECKING, SAVING] },
      { ...TARTAN, accounts: [{ ...CHECKING, mask: '2222' }] },
    ],
  },
  {
    phone_number: '+14155550012',
    description: 'missing PII, three banks',
    identity: { name: null, address: null, email: null, date_of_birth: null, ssn: null },
    banks: [
      { ...FIRST_PLATYPUS, accounts: [CHECKING] },
      { ...FIRST_GINGHAM, accounts: [{ ...CHECKING, mask: '3333' }] },
      { ...HOUNDSTOOTH, accounts: [{ ...SAVING, mask: '4444' }] },
    ],
  },
  {
    phone_number: '+14155550015',
    description: 'standard profile, one bank',
    identity: {
      name: { first_name: 'Ann', last_name: 'Perkins' },
      address: pawnee('48 Lot Rd.'),
      email: 'ann@perkins.example',
      date_of_birth: '1978-04-02',
      ssn: '123456789',
    },
    banks: [{ ...FIRST_PLATYPUS, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550013',
    description: 'missing email',
    identity: {
      name: { first_name: 'Ben', last_name: 'Wyatt' },
      address: pawnee('9 Cones Ct.'),
      email: null,
      date_of_birth: '1974-09-18',
      ssn: '234567891',
    },
    banks: [{ ...FIRST_PLATYPUS, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550015',
    description: 'missing date of birth',
    identity: {
      name: { first_name: 'April', last_name: 'Ludgate' },
      address: pawnee('77 Snakehole Way'),
      email: 'april@ludgate.example',
      date_of_birth: null,
      ssn: '345678912',
    },
    banks: [{ ...TARTAN, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550016',
    description: 'missing SSN',
    identity: {
      name: { first_name: 'Andy', last_name: 'Dwyer' },
      address: pawnee('5 Pit Ave.'),
      email: 'andy@dwyer.example',
      date_of_birth: '1979-08-20',
      ssn: null,
    },
    banks: [{ ...FIRST_PLATYPUS, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550017',
    description: 'missing address',
    identity: {
      name: { first_name: 'Ron', last_name: 'Swanson' },
      address: null,
      email: 'ron@swanson.example',
      date_of_birth: '1971-05-06',
      ssn: '456789123',
    },
    banks: [{ ...HOUNDSTOOTH, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550018',
    description: 'missing name',
    identity: {
      name: null,
      address: pawnee('18 Ramsett Park'),
      email: 'tom@haverford.example',
      date_of_birth: '1981-03-14',
      ssn: '567891234',
    },
    banks: [{ ...FIRST_PLATYPUS, accounts: [CHECKING] }],
  },
  {
    phone_number: '+15155550019',
    description: 'standard profile, savings account only',
    identity: {
      name: { first_name: 'Donna', last_name: 'Meagle' },
      address: pawnee('19 Mercedes Ln.'),
      email: 'donna@meagle.example',
      date_of_birth: '1976-11-02',
      ssn: '678912345',
    },
    banks: [{ ...TARTAN, accounts: [SAVING] }],
  },
  {
    phone_number: OAUTH_SANDBOX_PHONE,
    description:
      'emulator only: standard profile, one bank that connects through OAuth (redirect_uri needed)',
    identity: {
      name: { first_name: 'Mark', last_name: 'Brendanawicz' },
      address: pawnee('31 Pit Ave.'),
      email: 'mark@brendanawicz.example',
      date_of_birth: '1977-07-31',
      ssn: '789123456',
    },
    banks: [{ ...PLATYPUS_OAUTH, accounts: [CHECKING] }],
  },
];

export function findSandboxUser(phoneNumber: string): SandboxUser | undefined {
  return SANDBOX_USERS.find((user) => user.phone_number === phoneNumber);
}
