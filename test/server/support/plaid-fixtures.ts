/** What the mocked Plaid answers with: a Layer user shaped like Plaid's own samples. */
import type { UserAccountSessionGetResponse } from 'plaid';

export const PLAID_BASE = 'https://sandbox.plaid.com';

export const LINK_TOKEN = 'link-sandbox-2f1a5b61-4b31-4b1e-9a55-0c6fdc3a7e21';
export const LINK_EXPIRATION = '2099-01-01T04:00:00Z';
export const PUBLIC_TOKEN = 'profile-sandbox-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const ACCESS_TOKENS = [
  'access-sandbox-435beced-94e8-4df3-a181-1dde1cfa19f0',
  'access-sandbox-9b2f0c1e-7d44-4c3a-b1a8-5f6e7d8c9b0a',
];
export const ITEM_IDS = ['Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr', 'Kp2xQwErTyUiOpAsDfGhJkLzXcVbNm12345qW'];
export const FULL_SSN = '987654321';

export const SESSION_GET_RESPONSE: UserAccountSessionGetResponse = {
  identity: {
    name: { first_name: 'Leslie', last_name: 'Knope' },
    address: {
      street: '123 Main St.',
      street2: '',
      city: 'Pawnee',
      region: 'IN',
      postal_code: '41006',
      country: 'US',
    },
    email: 'leslie@knope.com',
    phone_number: '+14155550011',
    date_of_birth: '1975-01-18',
    ssn: FULL_SSN,
    ssn_last_4: '4321',
  },
  items: ACCESS_TOKENS.map((access_token, i) => ({ item_id: ITEM_IDS[i]!, access_token })),
  identity_edit_history: null,
  request_id: 'm8MDnv9okwxFNBV',
};

/**
 * The fixture user's identity: none of it may appear in a log line. (Short digit runs such as the
 * ZIP code or SSN last four are left out: they could occur by chance inside a random request id.)
 */
export const FIXTURE_PII = [
  'Leslie',
  'Knope',
  '123 Main St.',
  'Pawnee',
  'leslie@knope.com',
  '4155550011',
  '1975-01-18',
  FULL_SSN,
];

/** A Plaid error body. */
export function plaidError(error_type: string, error_code: string, request_id = 'PLAIDreqID00001') {
  return {
    error_type,
    error_code,
    error_message: `${error_code.toLowerCase().replace(/_/g, ' ')}`,
    display_message: null,
    request_id,
  };
}
