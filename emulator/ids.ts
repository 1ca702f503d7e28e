/**
 * Identifiers in Plaid's formats (LAYER.md §1.0): `<type>-<env>-<uuid v4>` tokens, 15-character
 * request ids, 37-character item and account ids. WebCrypto only, so this runs anywhere.
 */
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlphanumeric(length: number): string {
  // 62 does not divide 256: drop the bytes that would bias the first characters.
  const limit = 256 - (256 % ALPHANUMERIC.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
    }
  }
  return out;
}

export const newRequestId = (): string => randomAlphanumeric(15);
export const newItemId = (): string => randomAlphanumeric(37);
export const newAccountId = (): string => randomAlphanumeric(37);
export const newLinkSessionId = (): string => crypto.randomUUID();
export const newLinkToken = (): string => `link-sandbox-${crypto.randomUUID()}`;
export const newPublicToken = (): string => `public-sandbox-${crypto.randomUUID()}`;
export const newAccessToken = (): string => `access-sandbox-${crypto.randomUUID()}`;
