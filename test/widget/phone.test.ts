import { expect } from '@open-wc/testing';

import { normalizePhone } from '../../widget/phone.js';

describe('normalizePhone', () => {
  const US_FORMS = [
    '(415) 555-0011',
    '415.555.0011',
    '415-555-0011',
    '415 555 0011',
    '4155550011',
    '+1 415 555 0011',
    '+1 (415) 555-0011',
    '+14155550011',
    '1-415-555-0011',
    '1 (415) 555-0011',
    '14155550011',
    '  415 555 0011  ',
    '415\u2013555\u20130011',
    // What IMEs, phone keyboards, pastes and address books really produce.
    '\uff0b\uff11 \uff14\uff11\uff15 \uff15\uff15\uff15 \uff10\uff10\uff11\uff11', // full width (Japanese, Chinese IME)
    '\uff08\uff14\uff11\uff15\uff09\u3000\uff15\uff15\uff15\uff0d\uff10\uff10\uff11\uff11', // full-width brackets, ideographic space
    '\u0664\u0661\u0665 \u0665\u0665\u0665 \u0660\u0660\u0661\u0661', // Arabic-Indic digits
    '+\u06f1 \u06f4\u06f1\u06f5 \u06f5\u06f5\u06f5 \u06f0\u06f0\u06f1\u06f1', // Extended Arabic-Indic (Persian, Urdu)
    '+1\u00a0415\u00a0555\u00a00011', // non-breaking spaces
    '+1\u2009415\u2009555\u20090011', // thin spaces
    '+1\u202f415\u202f555\u202f0011', // narrow no-break spaces
    '\u202d+1 (415) 555\u20110011\u202c', // copied from iOS Contacts: bidi override, non-breaking hyphen
    '\u200e+1 415-555-0011\u200f', // left-to-right and right-to-left marks, from a right-to-left page
    '\u2066415\u2069-555-0011', // bidi isolates
    '415\u2212555\u22120011', // minus signs
    '415\u30fc555\u30fc0011', // the Japanese IME's long-vowel mark typed for a dash
    'tel:+14155550011', // a pasted tel: link
    'TEL:+1-415-555-0011',
    '001 415 555 0011', // the international prefix of most of the world
    '011 1 415 555 0011', // the North American one
    '\n+1 415 555 0011\n', // a paste with its line breaks
  ];
  for (const input of US_FORMS) {
    it(`normalises the US form ${JSON.stringify(input)} to E.164`, () => {
      expect(normalizePhone(input)).to.equal('+14155550011');
    });
  }

  const OTHER_COUNTRIES: [string, string][] = [
    ['+44 7700 900123', '+447700900123'],
    ['+52 55 1234 5678', '+525512345678'],
    ['+49 (30) 1234-5678', '+493012345678'],
    ['+44 (0) 20 7946 0018', '+442079460018'], // the national trunk 0, written in brackets, is not dialled
    ['0044 20 7946 0018', '+442079460018'],
    ['\uff0b\uff14\uff14 \uff12\uff10 \uff17\uff19\uff14\uff16 \uff10\uff10\uff11\uff18', '+442079460018'],
  ];
  for (const [input, e164] of OTHER_COUNTRIES) {
    it(`passes ${JSON.stringify(input)} on in E.164`, () => {
      expect(normalizePhone(input)).to.equal(e164);
    });
  }

  const INVALID = [
    '',
    '555-0011',
    '415-555-001',
    '415-555-00111',
    '015-555-0011',
    '415-055-0011',
    '2-415-555-0011',
    '+1 415 555 001',
    '+0 123 456 789',
    '+44 12',
    '+1234567890123456',
    // An extension is a shared line, which cannot take Plaid's text message: corrected, not dropped.
    '415-555-0011 ext 2',
    '+1 (415) 555-0011 ext. 12',
    '+1 415 555 0011 x12',
    '415-555-0011;ext=2',
    'tel:',
    '00',
    // 011 is also an area code, written with its national 0: read as the international prefix it
    // became another country's number (+7 4960000, +23456789, +5551234), prefilled in the fallback.
    '0117 496 0000', // Bristol
    '011 2345 6789', // Delhi
    '011 555 1234', // Johannesburg
    'call me',
    '415+555+0011',
    '++14155550011',
  ];
  for (const input of INVALID) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(normalizePhone(input)).to.equal(null);
    });
  }
});
