/**
 * Fault injection for tests and benchmarks: make the next N calls of a route answer with a given
 * Plaid error and HTTP status, or arrive late, or both. Set through the emulator's `faults` option
 * or its control route `POST /emulator/faults`.
 */
import { PlaidApiError, codeForStatus } from './plaid-error.js';

/** Matches every Plaid API route (not the Link script or the emulator-only routes). */
export const ANY_PLAID_ROUTE = '*';

export interface FaultSpec {
  /**
   * The route as the emulator names it, without any mount prefix: a Plaid path such as
   * `/session/token/create`, `/link/v2/stable/link-initialize.js`, an `/emulator/link/...` route
   * of the Link UI, or `*` for every Plaid API route.
   */
  route: string;
  /** The forced HTTP status. Without it, `errorCode`'s usual status; without both, latency only. */
  status?: number;
  /** A Plaid `error_code`; without it, the usual code for `status`. */
  errorCode?: string;
  /** A Plaid `error_type`; without it, the usual type for `errorCode`. */
  errorType?: string;
  errorMessage?: string;
  displayMessage?: string | null;
  /** Delay before answering, in milliseconds. */
  latencyMs?: number;
  /** How many calls it affects: default 1; `null` (or `Infinity`) until the faults are cleared. */
  times?: number | null;
}

/** What a route must do for one call. */
export interface FaultAction {
  latencyMs: number;
  error: PlaidApiError | null;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];

  constructor(initial: readonly FaultSpec[] = []) {
    initial.forEach((spec) => this.add(spec));
  }

  add(spec: FaultSpec): void {
    const checked = checkFaultSpec(spec);
    const remaining = checked.times === undefined ? 1 : (checked.times ?? Infinity);
    this.faults.push({ spec: checked, remaining });
  }

  clear(): void {
    this.faults = [];
  }

  /** The active faults, with how many calls each still affects (`null`: until cleared). */
  list(): Array<FaultSpec & { remaining: number | null }> {
    return this.faults.map(({ spec, remaining }) => ({
      ...spec,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** Consumes one call of the first fault that applies to `route`, if any. */
  take(route: string, isPlaidRoute: boolean): FaultAction | null {
    const index = this.faults.findIndex(
      ({ spec }) => spec.route === route || (spec.route === ANY_PLAID_ROUTE && isPlaidRoute),
    );
    if (index === -1) return null;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { latencyMs: fault.spec.latencyMs ?? 0, error: faultError(fault.spec) };
  }
}

function faultError(spec: FaultSpec): PlaidApiError | null {
  if (spec.status === undefined && spec.errorCode === undefined) return null;
  const code = spec.errorCode ?? codeForStatus(spec.status!);
  return new PlaidApiError(code, {
    ...(spec.status !== undefined && { status: spec.status }),
    ...(spec.errorType !== undefined && { type: spec.errorType }),
    ...(spec.errorMessage !== undefined && { message: spec.errorMessage }),
    ...(spec.displayMessage !== undefined && { displayMessage: spec.displayMessage }),
  });
}

const SPEC_KEYS = new Set<string>([
  'route',
  'status',
  'errorCode',
  'errorType',
  'errorMessage',
  'displayMessage',
  'latencyMs',
  'times',
]);

/** Validates a fault from options or from the control route's JSON body. */
export function checkFaultSpec(input: unknown): FaultSpec {
  const invalid = (message: string) => new PlaidApiError('INVALID_FIELD', { message });
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('a fault must be an object');
  const spec = input as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((key) => !SPEC_KEYS.has(key));
  if (unknown.length > 0)
    throw new PlaidApiError('UNKNOWN_FIELDS', {
      message: `the following fields are not recognized by this endpoint: ${unknown.join(', ')}`,
    });
  if (typeof spec.route !== 'string' || !(spec.route === ANY_PLAID_ROUTE || spec.route.startsWith('/')))
    throw invalid('route must be a path starting with "/" or "*"');
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && isHttpError(spec.status as number)))
    throw invalid('status must be an HTTP error status (400-599)');
  if (
    spec.errorCode !== undefined &&
    !(typeof spec.errorCode === 'string' && /^[A-Z_]+$/.test(spec.errorCode))
  )
    throw invalid('errorCode must be an UPPER_SNAKE Plaid error code');
  for (const key of ['errorType', 'errorMessage'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') throw invalid(`${key} must be a string`);
  }
  if (
    spec.displayMessage !== undefined &&
    spec.displayMessage !== null &&
    typeof spec.displayMessage !== 'string'
  )
    throw invalid('displayMessage must be a string or null');
  if (spec.latencyMs !== undefined && !(typeof spec.latencyMs === 'number' && spec.latencyMs >= 0))
    throw invalid('latencyMs must be a number of milliseconds');
  const times = spec.times;
  if (
    times !== undefined &&
    times !== null &&
    !(typeof times === 'number' && times >= 1 && (Number.isInteger(times) || times === Infinity))
  )
    throw invalid('times must be a positive whole number, or null for "until cleared"');
  if (spec.errorCode === undefined && spec.status === undefined && spec.latencyMs === undefined)
    throw invalid('a fault needs a status, an errorCode or a latencyMs');
  return spec as unknown as FaultSpec;
}

const isHttpError = (status: number) => status >= 400 && status <= 599;
