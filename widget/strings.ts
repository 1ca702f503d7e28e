// Every word the element shows, in each language it speaks.
import type { ErrorKind } from '../contract/index.js';
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
  /** The status line, by state; a state without one shows an empty line. */
  status: { readonly [S in LayerState]?: string };
  fallback: string;
  /** The message in state `error`, by the error's kind (contract `ERROR_KINDS`). */
  errors: { readonly [K in ErrorKind]: string };
  retry: string;
  legal: string;
  legalLink: string;
}

const EN: Strings = {
  phoneLabel: 'Phone number',
  phoneHint: 'Have a Plaid account? Fill this form in seconds.',
  phoneSubmit: 'Continue',
  phoneInvalid: 'Enter a valid phone number, like (415) 555-0123.',
  dobLabel: 'Date of birth',
  dobHint: 'We could not find your details from your number alone. Your date of birth may help.',
  dobPlaceholder: 'MM/DD/YYYY',
  dobSubmit: 'Continue',
  dobInvalid: 'Enter your date of birth as MM/DD/YYYY.',
  dobSkip: 'Fill in the form myself',
  status: {
    checking: 'Checking…',
    open: 'Continue in the Plaid window.',
    finishing: 'Getting your details…',
    complete: 'Done: your details are filled in.',
  },
  fallback: 'Please fill in the form yourself.',
  errors: {
    retry: 'Instant sign-up is busy right now. Please wait a moment and try again.',
    session: 'Your instant sign-up session ended. Please try again.',
    setup: 'Instant sign-up is not set up correctly on this site. Please fill in the form yourself.',
    unavailable: 'Instant sign-up is not available right now. Please fill in the form yourself.',
  },
  retry: 'Try again',
  legal: 'Plaid verifies your number with a one-time code.',
  legalLink: 'Plaid End User Privacy Policy',
};

const ES: Strings = {
  phoneLabel: 'Número de teléfono',
  phoneHint: '¿Tiene una cuenta de Plaid? Complete este formulario en segundos.',
  phoneSubmit: 'Continuar',
  phoneInvalid: 'Introduzca un número de teléfono válido, como (415) 555-0123.',
  dobLabel: 'Fecha de nacimiento',
  dobHint: 'No encontramos sus datos solo con su número. Su fecha de nacimiento puede ayudar.',
  dobPlaceholder: 'MM/DD/AAAA',
  dobSubmit: 'Continuar',
  dobInvalid: 'Introduzca su fecha de nacimiento como MM/DD/AAAA.',
  dobSkip: 'Completar el formulario yo mismo',
  status: {
    checking: 'Comprobando…',
    open: 'Continúe en la ventana de Plaid.',
    finishing: 'Obteniendo sus datos…',
    complete: 'Listo: sus datos están completos.',
  },
  fallback: 'Complete el formulario usted mismo.',
  errors: {
    retry: 'El registro instantáneo está ocupado ahora. Espere un momento y vuelva a intentarlo.',
    session: 'Su sesión de registro instantáneo terminó. Vuelva a intentarlo.',
    setup:
      'El registro instantáneo no está bien configurado en este sitio. Complete el formulario usted mismo.',
    unavailable: 'El registro instantáneo no está disponible ahora. Complete el formulario usted mismo.',
  },
  retry: 'Reintentar',
  legal: 'Plaid verifica su número con un código de un solo uso.',
  legalLink: 'Política de privacidad de Plaid',
};

const STRINGS: { readonly [L in Language]: Strings } = { en: EN, es: ES };

/** Strings for a BCP 47 tag (`es-MX` → Spanish); English for anything else. */
export function stringsFor(lang: string | null | undefined): Strings {
  const primary = (lang ?? '').toLowerCase().split('-')[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? STRINGS[primary as Language] : EN;
}

/** Whether `lang` (a BCP 47 tag) has its own strings rather than English as a stand-in. */
export function hasStrings(lang: string): boolean {
  return (LANGUAGES as readonly string[]).includes(lang.toLowerCase().split('-')[0] ?? '');
}
