// Every word the element shows, in each language it speaks.
import type { ErrorKind } from '../contract/index.js';
import { hasOwn } from './has-own.js';
import type { LayerState } from './states.js';

export const LANGUAGES = ['en', 'es'] as const;

export type Language = (typeof LANGUAGES)[number];

export interface Strings {
  phoneLabel: string;
  phoneHint: string;
  phoneSubmit: string;
  phoneInvalid: string;
  dobLabel: string;
  dobHint: string;
  dobPlaceholder: string;
  dobSubmit: string;
  dobInvalid: string;
  dobSkip: string;
  /** Back to the phone step, the number kept for correcting: from the date of birth, an error or a fallback. */
  changeNumber: string;
  /** The status line, by state; a state without one shows an empty line. */
  status: { readonly [S in LayerState]?: string };
  /** The finished state's heading; `{name}` is the visitor's first name (`doneTitleNoName` without one). */
  doneTitle: string;
  doneTitleNoName: string;
  doneText: string;
  /** The fallback message when no `fallback` slot replaces it. */
  fallback: string;
  /** The fallback message for a number outside the US, which Layer does not serve. */
  fallbackUsOnly: string;
  /** The message in state `error`, by the error's kind (contract `ERROR_KINDS`). */
  errors: { readonly [K in ErrorKind]: string };
  retry: string;
  legal: string;
  legalLink: string;
}

/** Any of the strings, replaced through the element's `strings` property; `status` and `errors` by key. */
export type StringOverrides = {
  [K in keyof Strings]?: Strings[K] extends string ? string : Partial<Strings[K]>;
};

const EN: Strings = {
  phoneLabel: 'Phone number',
  phoneHint: 'Plaid texts you a code, then your details are filled in for you.',
  phoneSubmit: 'Continue',
  phoneInvalid: 'Enter a valid phone number, like (415) 555-0123.',
  dobLabel: 'Date of birth',
  dobHint: 'We couldn’t find you from your number alone. Your date of birth may help.',
  dobPlaceholder: 'MM/DD/YYYY',
  dobSubmit: 'Continue',
  dobInvalid: 'Enter your date of birth as MM/DD/YYYY.',
  dobSkip: 'Fill in the form myself',
  changeNumber: 'Use a different number',
  status: {
    checking: 'Checking your number…',
    open: 'Continue in the Plaid window.',
    finishing: 'Getting your details…',
  },
  doneTitle: 'Thanks, {name}!',
  doneTitleNoName: 'Thanks!',
  doneText: 'Your details are filled in. Please check them.',
  fallback: 'Please fill in the form.',
  fallbackUsOnly: 'Instant sign-up works with US numbers only. Please fill in the form.',
  errors: {
    retry: 'Instant sign-up is busy. Please try again in a moment.',
    session: 'Your session ended. Please try again.',
    setup: 'Instant sign-up isn’t set up on this site. Please fill in the form.',
    unavailable: 'Instant sign-up isn’t available right now. Please fill in the form.',
  },
  retry: 'Try again',
  legal: 'Secured by Plaid.',
  legalLink: 'How Plaid uses your data',
};

const ES: Strings = {
  phoneLabel: 'Número de teléfono',
  phoneHint: 'Plaid le envía un código por SMS y sus datos se completan solos.',
  phoneSubmit: 'Continuar',
  phoneInvalid: 'Introduzca un número válido, como (415) 555-0123.',
  dobLabel: 'Fecha de nacimiento',
  dobHint: 'No le encontramos solo con su número. Su fecha de nacimiento puede ayudar.',
  dobPlaceholder: 'MM/DD/AAAA',
  dobSubmit: 'Continuar',
  dobInvalid: 'Introduzca su fecha de nacimiento como MM/DD/AAAA.',
  dobSkip: 'Completar el formulario yo mismo',
  changeNumber: 'Usar otro número',
  status: {
    checking: 'Comprobando su número…',
    open: 'Continúe en la ventana de Plaid.',
    finishing: 'Obteniendo sus datos…',
  },
  doneTitle: '¡Gracias, {name}!',
  doneTitleNoName: '¡Gracias!',
  doneText: 'Sus datos están completos. Revíselos, por favor.',
  fallback: 'Complete el formulario, por favor.',
  fallbackUsOnly: 'El registro instantáneo solo admite números de EE. UU. Complete el formulario, por favor.',
  errors: {
    retry: 'El registro instantáneo está ocupado. Vuelva a intentarlo en un momento.',
    session: 'Su sesión terminó. Vuelva a intentarlo.',
    setup: 'El registro instantáneo no está configurado en este sitio. Complete el formulario.',
    unavailable: 'El registro instantáneo no está disponible ahora. Complete el formulario.',
  },
  retry: 'Reintentar',
  legal: 'Protegido por Plaid.',
  legalLink: 'Cómo usa Plaid sus datos',
};

const STRINGS: { readonly [L in Language]: Strings } = { en: EN, es: ES };

/** The language a BCP 47 tag names (`es-MX` → `es`) when the element speaks it, otherwise `null`. */
function spokenLanguage(lang: string): Language | null {
  const [primary = ''] = lang.toLowerCase().split('-');
  return hasOwn(STRINGS, primary) ? (primary as Language) : null;
}

/** Strings for a BCP 47 tag (`es-MX` → Spanish); English for anything else. */
export function stringsFor(lang: string | null | undefined): Strings {
  return STRINGS[spokenLanguage(lang ?? '') ?? 'en'];
}

/** `base` with a partner's `overrides` on top (`status` and `errors` merged key by key). */
export function withOverrides(base: Strings, overrides: StringOverrides | null | undefined): Strings {
  if (!overrides) return base;
  return {
    ...base,
    ...(overrides as Partial<Strings>),
    status: { ...base.status, ...overrides.status },
    errors: { ...base.errors, ...overrides.errors },
  };
}

/** Whether `lang` (a BCP 47 tag) has its own strings rather than English as a stand-in. */
export function hasStrings(lang: string): boolean {
  return spokenLanguage(lang) !== null;
}
