// Phone numbers as people type them → E.164, which Link's `submit({ phone_number })` requires.
import { plainText } from './plain-text.js';

/**
 * Digits, spaces, dots, parentheses and dashes (any Unicode dash, the minus sign, and the Japanese
 * IME's long-vowel mark typed for one), with one leading `+`.
 */
const PHONE_CHARACTERS = /^\+?[\d\s().\-\u2010-\u2015\u2212\u30fc]+$/;

/** A North American number without its country code: area code and exchange never start 0 or 1. */
const NANP = /^[2-9]\d{2}[2-9]\d{6}$/;

/** Country code 1–9 first, at most 15 digits in all (ITU-T E.164), at least 7. */
const E164_DIGITS = /^[1-9]\d{6,14}$/;

/**
 * Normalises a phone number to E.164, or returns `null` when it is not one.
 *
 * US numbers in any common form — `(415) 555-0011`, `415.555.0011`, `+1 415 555 0011`,
 * `1-415-555-0011`, `tel:+14155550011`, `001 415 555 0011`, in full width or Arabic-Indic digits —
 * become `+14155550011`. Numbers of other countries must start with `+` (or the international
 * prefix `00`) and are passed on in E.164, without a bracketed trunk `(0)` (Plaid decides
 * whether Layer serves them). An extension is not a number Plaid can text: `null`.
 */
export function normalizePhone(input: string): string | null {
  const text = plainText(input)
    .replace(/^tel:|\(0\)/gi, '')
    // 011 only before a 1: it is also an area code (Delhi, Johannesburg, Bristol) dialled with its 0.
    .replace(/^0(0|11(?=\D*1))/, '+');
  if (!PHONE_CHARACTERS.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  if (text.startsWith('+')) {
    if (digits.startsWith('1')) return NANP.test(digits.slice(1)) ? `+${digits}` : null;
    return E164_DIGITS.test(digits) ? `+${digits}` : null;
  }
  if (digits.length === 11 && digits.startsWith('1')) return NANP.test(digits.slice(1)) ? `+${digits}` : null;
  if (digits.length === 10) return NANP.test(digits) ? `+1${digits}` : null;
  return null;
}

/** Layer serves numbers of the North American Numbering Plan only (LAYER.md: always `LAYER_NOT_AVAILABLE` otherwise). */
export function isLayerCountry(e164: string): boolean {
  return e164.startsWith('+1');
}
