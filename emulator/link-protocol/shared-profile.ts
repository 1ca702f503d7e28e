/**
 * The profile on its way through a Link session: what the review step may show (no full SSN), what
 * `/user_account/session/get` later returns once the user has edited it, and Plaid's
 * `identity_edit_history` counts of those edits.
 */
import type {
  UserAccountIdentity,
  UserAccountIdentityEditCounts,
  UserAccountIdentityEditHistory,
} from 'plaid';

import type { LayerProfile } from '../eligibility.js';
import type { EditedProfile, ReviewAddress, ReviewProfile } from './messages.js';

/** The parts of a profile the user can edit, as `identity_edit_history` counts them. */
export const EDITABLE_GROUPS = ['name', 'address', 'email', 'date_of_birth'] as const;
export type EditableGroup = (typeof EDITABLE_GROUPS)[number];

/** One edit the user made to a Sandbox profile, and when. */
export interface ProfileEdit {
  group: EditableGroup;
  at: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the review step shows: the profile minus the full SSN, and minus the email unless the
 * emulator returns it (Plaid's `UserAccountIdentity.email`: "currently not returned").
 */
export function reviewProfile(profile: LayerProfile, returnEmail: boolean): ReviewProfile {
  const { identity } = profile;
  return {
    phone_number: profile.phone_number,
    name: identity.name && { ...identity.name },
    address: identity.address && { ...identity.address },
    email: returnEmail ? identity.email : null,
    date_of_birth: identity.date_of_birth,
    ssn_last_4: identity.ssn?.slice(-4) ?? null,
  };
}

/**
 * What `/user_account/session/get` returns: the profile as the user left it, full SSN included;
 * `email` is null unless the emulator returns it.
 */
export function sharedIdentity(
  profile: LayerProfile,
  edited: EditedProfile,
  returnEmail: boolean,
): UserAccountIdentity {
  const shared = normalise(edited);
  const ssn = profile.identity.ssn;
  return {
    name: shared.name,
    address: shared.address,
    phone_number: profile.phone_number,
    email: returnEmail ? shared.email : null,
    date_of_birth: shared.date_of_birth,
    ssn,
    ssn_last_4: ssn?.slice(-4) ?? null,
  };
}

/**
 * The groups the user changed on the review step (blank and absent count as the same). An email the
 * review step did not show cannot have been edited.
 */
export function editedGroups(
  profile: LayerProfile,
  edited: EditedProfile,
  returnEmail: boolean,
): EditableGroup[] {
  const before = normalise(reviewProfile(profile, returnEmail));
  const after = normalise(edited);
  return EDITABLE_GROUPS.filter(
    (group) =>
      (group !== 'email' || returnEmail) && JSON.stringify(before[group]) !== JSON.stringify(after[group]),
  );
}

/**
 * `identity_edit_history` at `now`, from every edit made to this profile so far (`log`, this
 * session's included) and the groups this session changed.
 */
export function editHistory(
  log: readonly ProfileEdit[],
  changed: readonly EditableGroup[],
  now: number,
): UserAccountIdentityEditHistory {
  const counts = (group: EditableGroup | null): UserAccountIdentityEditCounts => {
    const mine = log.filter((edit) => edit.group === group);
    const within = (days: number) => mine.filter((edit) => now - edit.at < days * DAY_MS).length;
    return {
      edits_current: group !== null && changed.includes(group) ? 1 : 0,
      edits_1d: within(1),
      edits_30d: within(30),
      edits_365d: within(365),
      edits_all_time: mine.length,
    };
  };
  return {
    name: counts('name'),
    address: counts('address'),
    email: counts('email'),
    date_of_birth: counts('date_of_birth'),
    // The SSN is not editable in Link.
    official_document: { ssn: counts(null) },
  };
}

/** Empty strings are absent values; an object with nothing in it is an absent object. */
function normalise(profile: EditedProfile): EditedProfile {
  const text = (value: string | null | undefined) => (value?.trim() ? value.trim() : null);
  const name = profile.name && {
    first_name: text(profile.name.first_name),
    last_name: text(profile.name.last_name),
  };
  const address: ReviewAddress | null = profile.address && {
    street: text(profile.address.street),
    street2: text(profile.address.street2),
    city: text(profile.address.city),
    region: text(profile.address.region),
    postal_code: text(profile.address.postal_code),
    country: text(profile.address.country),
  };
  return {
    name:
      name && (name.first_name || name.last_name)
        ? { first_name: name.first_name ?? '', last_name: name.last_name ?? '' }
        : null,
    address: address && Object.values(address).some((value) => value !== null) ? address : null,
    email: text(profile.email),
    date_of_birth: text(profile.date_of_birth),
  };
}
