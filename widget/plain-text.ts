// What keyboards, IMEs, pastes and autofill put in a field, as the phone and date parsers read it.

/**
 * Text as keyboards, IMEs and pastes deliver it, made plain: full-width forms (a Japanese or
 * Chinese IME's `４１５`, `＋`, `／`) and other compatibility characters as ASCII (NFKC),
 * Arabic-Indic digits as ASCII digits, and the invisible bidi and format characters a copy adds
 * (iOS Contacts wraps a number in U+202D…U+202C) removed; trimmed.
 */
export function plainText(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) & 15))
    .replace(/\p{Cf}/gu, '')
    .trim();
}
