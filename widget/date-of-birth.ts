// Dates of birth as US users type them → the ISO date Link's `submit({ date_of_birth })` takes.
import { plainText } from './plain-text.js';

// Separators, with any spaces around them, are read as `-` first.
const US_DATE = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;
const US_DIGITS = /^(\d{2})(\d{2})(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * Parses `MM/DD/YYYY` (also `M/D/YYYY`, with `-`, `.` or spaces, or as 8 digits) or year first
 * (`YYYY-MM-DD`, `YYYY/M/D`) into `YYYY-MM-DD`, in full width or Arabic-Indic digits too. Returns
 * `null` for anything else (a two-digit year is the visitor's to complete, not a guess), for dates
 * that do not exist, for dates in the future and for years before 1900.
 */
export function parseDateOfBirth(input: string, today: Date = new Date()): string | null {
  const text = plainText(input).replace(/\s*[/.\-\s]\s*/g, '-');
  let year: number, month: number, day: number;
  const iso = ISO_DATE.exec(text);
  const us = US_DATE.exec(text) ?? US_DIGITS.exec(text);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (us) [month, day, year] = [Number(us[1]), Number(us[2]), Number(us[3])];
  else return null;

  const date = new Date(Date.UTC(year, month - 1, day));
  const exists =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!exists || year < 1900) return null;
  const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  if (date.getTime() > todayUtc) return null;
  return date.toISOString().slice(0, 10); // YYYY-MM-DD: a year from 1900 on has four digits
}
