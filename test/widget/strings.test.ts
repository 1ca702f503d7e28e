import { expect } from '@open-wc/testing';

import { ERROR_KINDS } from '../../contract/index.js';
import { LANGUAGES, stringsFor, type Strings } from '../../widget/strings.js';

/** Every string of a language, by its path (`errors.retry`, `status.checking`). */
function flatten(strings: Strings): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(strings)) {
    if (typeof value === 'string') flat[key] = value;
    else
      for (const [inner, text] of Object.entries(value as Record<string, string>))
        flat[`${key}.${inner}`] = text;
  }
  return flat;
}

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
    const keys = Object.keys(flatten(stringsFor('en'))).sort();
    for (const lang of LANGUAGES) {
      const strings = flatten(stringsFor(lang));
      expect(Object.keys(strings).sort(), lang).to.deep.equal(keys);
      for (const key of keys) expect(strings[key]!.length, `${lang}.${key}`).to.be.greaterThan(0);
    }
  });

  it('has one message per error kind, different from the others, in every language', () => {
    for (const lang of LANGUAGES) {
      const { errors } = stringsFor(lang);
      expect(Object.keys(errors), lang).to.have.members([...ERROR_KINDS]);
      expect(new Set(Object.values(errors)).size, lang).to.equal(ERROR_KINDS.length);
    }
  });
});
