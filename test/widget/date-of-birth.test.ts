import { expect } from '@open-wc/testing';

import { parseDateOfBirth } from '../../widget/date-of-birth.js';

describe('parseDateOfBirth', () => {
  const TODAY = new Date(2026, 10, 25);

  const VALID: [string, string][] = [
    ['1975-01-18', '1975-01-18'],
    ['01/18/1975', '1975-01-18'],
    ['1/8/1975', '1975-01-08'],
    ['01-18-1975', '1975-01-18'],
    ['01.18.1975', '1975-01-18'],
    ['01181975', '1975-01-18'],
    [' 02/29/2000 ', '2000-02-29'],
    ['11/25/2026', '2026-11-25'],
    ['02/29/2024', '2024-02-29'],
    ['01/01/1900', '1900-01-01'],
    ['01 18 1975', '1975-01-18'],
    ['01 / 18 / 1975', '1975-01-18'], // spaces around the separators
    ['01/18/1975\n', '1975-01-18'],
    ['01\u00a018\u00a01975', '1975-01-18'],
    ['\uff10\uff11/\uff11\uff18/\uff11\uff19\uff17\uff15', '1975-01-18'], // full width (IME)
    ['\uff10\uff11\uff0f\uff11\uff18\uff0f\uff11\uff19\uff17\uff15', '1975-01-18'],
    ['\u0660\u0661/\u0661\u0668/\u0661\u0669\u0667\u0665', '1975-01-18'], // Arabic-Indic digits
    ['\u200f01/18/1975\u200f', '1975-01-18'], // right-to-left marks from a paste
    ['1975-1-18', '1975-01-18'], // year first is never ambiguous
    ['1975/01/18', '1975-01-18'],
    ['1975.01.18', '1975-01-18'],
  ];
  for (const [input, iso] of VALID) {
    it(`reads ${JSON.stringify(input)} as ${iso}`, () => {
      expect(parseDateOfBirth(input, TODAY)).to.equal(iso);
    });
  }

  const INVALID = [
    '',
    '18/01/1975',
    '02/29/1999',
    '1975-13-01',
    '01/18/75', // two-digit years: 1975 or 2075 is the visitor's to say, not a guess
    '1/18/75',
    '02/29/2023',
    '02/29/1900',
    '1975-18-01',
    '1975-01-18T00:00:00',
    '01//18/1975',
    '011/8/1975',
    '11/26/2026',
    '01/01/1899',
    'yesterday',
    '1975',
    // Month names are not read (English and Spanish would cost the drop-in script about 0.2 KB):
    // the placeholder and the message ask for MM/DD/YYYY, which these get.
    'Jan 18 1975',
    '18 January 1975',
    '18 de enero de 1975',
  ];
  for (const input of INVALID) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(parseDateOfBirth(input, TODAY)).to.equal(null);
    });
  }
});
