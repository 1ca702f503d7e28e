import { expect } from '@open-wc/testing';

import { LANGUAGES, stringsFor } from '../../widget/strings.js';

describe('stringsFor', () => {
  it('speaks Spanish for es and its regional tags', () => {
    expect(stringsFor('es').phoneLabel).to.equal('Número de teléfono');
    expect(stringsFor('es-MX').phoneLabel).to.equal('Número de teléfono');
  });

  it('falls back to English for other or missing languages', () => {
    for (const lang of ['en-US', 'fr', '', null, undefined]) {
      expect(stringsFor(lang).phoneLabel).to.equal('Phone number');
    }
  });

  it('has every string in every language', () => {
    const keys = Object.keys(stringsFor('en')).sort();
    for (const lang of LANGUAGES) {
      const strings = stringsFor(lang);
      expect(Object.keys(strings).sort()).to.deep.equal(keys);
      for (const key of keys)
        expect(strings[key as keyof typeof strings].length, `${lang}.${key}`).to.be.greaterThan(0);
    }
  });
});
