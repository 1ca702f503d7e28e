/**
 * How webhooks travel, like Plaid's (LAYER.md §2): after a short lag, sometimes twice, not
 * necessarily in the order they were raised, and retried when the receiver does not answer 200
 * within 10 seconds — first after 30 s, then ×4 each time, for up to 24 hours. Every attempt is
 * signed afresh (a retry hours later must still carry a recent `iat`) over the same body bytes.
 *
 * Timers are `unref()`ed where the runtime has that, so a pending delivery never keeps a process
 * alive, and `close()` cancels them all and aborts what is in flight.
 */
import type { EmulatorWebhook, WebhookSigner } from './webhooks.js';

export interface WebhookDeliveryOptions {
  /** Lag before each delivery: a number of ms, or `[min, max]` picked at random. Default `[100, 500]`. */
  delayMs?: number | readonly [number, number];
  /** The share of webhooks (0–1) delivered twice, each copy with its own lag. Default 0.1. */
  duplicateRate?: number;
  /**
   * Hold each session's `LAYER_AUTHENTICATION_PASSED` until its `SESSION_FINISHED` was delivered
   * (or {@link holdLimitMs} passed), so it arrives out of order. Default false.
   */
  outOfOrder?: boolean;
  /** How long an out-of-order webhook waits at most for the one it must follow; default 60 s. */
  holdLimitMs?: number;
  /** Attempts after the first failed one; default 6 (Plaid's schedule within 24 h). 0: no retries. */
  maxRetries?: number;
  /** Wait before the first retry; default 30 000 ms. */
  retryDelayMs?: number;
  /** Each further retry waits this many times longer; default 4. */
  retryBackoff?: number;
  /** No retry is planned past this long after the first attempt; default 24 h. */
  retryWindowMs?: number;
  /** A receiver that has not answered within this long failed; default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Multiplies every duration above except `delayMs` (retry waits, window, timeout, hold limit):
   * 0.001 turns Plaid's 30 s into 30 ms for tests. Default 1.
   */
  timeScale?: number;
  /** The randomness behind lags and duplicates; default `Math.random`. */
  random?: () => number;
}

export interface ResolvedWebhookDelivery {
  delayMs: readonly [number, number];
  duplicateRate: number;
  outOfOrder: boolean;
  holdLimitMs: number;
  maxRetries: number;
  retryDelayMs: number;
  retryBackoff: number;
  retryWindowMs: number;
  timeoutMs: number;
  random: () => number;
}

/** Reported after each delivery attempt that failed. */
export interface WebhookFailure {
  url: string;
  webhook_code: string;
  /** The receiver's HTTP status, a timeout, or the network error's message. */
  reason: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry follows. */
  final: boolean;
}

const HOUR_MS = 60 * 60 * 1000;

export function resolveWebhookDelivery({
  delayMs = [100, 500],
  duplicateRate = 0.1,
  outOfOrder = false,
  holdLimitMs = 60_000,
  maxRetries = 6,
  retryDelayMs = 30_000,
  retryBackoff = 4,
  retryWindowMs = 24 * HOUR_MS,
  timeoutMs = 10_000,
  timeScale = 1,
  random = Math.random,
}: WebhookDeliveryOptions = {}): ResolvedWebhookDelivery {
  const lag = typeof delayMs === 'number' ? ([delayMs, delayMs] as const) : delayMs;
  const durations = { holdLimitMs, retryDelayMs, retryWindowMs, timeoutMs, timeScale };
  for (const [name, value] of Object.entries({ ...durations, minDelay: lag[0], maxDelay: lag[1] }))
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0))
      throw new TypeError(`webhookDelivery.${name} must be a number ≥ 0`);
  if (lag[0] > lag[1]) throw new TypeError('webhookDelivery.delayMs must be [min, max] with min ≤ max');
  if (!(duplicateRate >= 0 && duplicateRate <= 1))
    throw new TypeError('webhookDelivery.duplicateRate must be between 0 and 1');
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw new TypeError('webhookDelivery.maxRetries must be a whole number ≥ 0');
  if (!(retryBackoff >= 1)) throw new TypeError('webhookDelivery.retryBackoff must be ≥ 1');
  return {
    delayMs: [lag[0], lag[1]],
    duplicateRate,
    outOfOrder,
    holdLimitMs: holdLimitMs * timeScale,
    maxRetries,
    retryDelayMs: retryDelayMs * timeScale,
    retryBackoff,
    retryWindowMs: retryWindowMs * timeScale,
    timeoutMs: timeoutMs * timeScale,
    random,
  };
}

interface Job {
  url: string;
  webhook: EmulatorWebhook;
  body: string;
  attempts: number;
  /** The retry waits planned so far, for the 24-hour window. */
  waited: number;
}

type Timer = ReturnType<typeof setTimeout>;

export interface WebhookSenderOptions {
  delivery: ResolvedWebhookDelivery;
  signer: WebhookSigner;
  fetch: typeof fetch;
  onFailure: (failure: WebhookFailure) => void;
}

export class WebhookSender {
  private readonly options: WebhookSenderOptions;
  private readonly timers = new Set<Timer>();
  private readonly inFlight = new Set<AbortController>();
  private readonly attempts = new Set<Promise<void>>();
  /** Out-of-order webhooks waiting, by `link_session_id`, for the one they must follow. */
  private readonly held = new Map<string, Set<() => void>>();
  /** Jobs not yet delivered or given up, held ones included. */
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: WebhookSenderOptions) {
    this.options = options;
  }

  /** Deliveries not yet done (waiting, held, in flight or between retries). */
  get pending(): number {
    return this.active;
  }

  /** Timers running (lags, retry waits, timeouts, hold limits): `unref()`ed, so a test counts them here. */
  get timerCount(): number {
    return this.timers.size;
  }

  /** Plans the delivery of `webhook` to `url` (and perhaps a duplicate). Never throws. */
  send(url: string, webhook: EmulatorWebhook): void {
    if (this.closed) return;
    const { duplicateRate, random, outOfOrder, holdLimitMs } = this.options.delivery;
    const body = JSON.stringify(webhook, null, 2);
    const copies = random() < duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      const job: Job = { url, webhook, body, attempts: 0, waited: 0 };
      this.active += 1;
      if (outOfOrder && webhook.webhook_code === 'LAYER_AUTHENTICATION_PASSED') this.hold(job, holdLimitMs);
      else this.later(() => this.attempt(job), this.lag());
    }
  }

  /** Resolves once every planned delivery was made or given up (for tests and benchmarks). */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels every pending delivery and aborts those in flight; resolves once they have settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    this.held.clear();
    this.inFlight.forEach((controller) => controller.abort(new Error('the emulator was closed')));
    await Promise.allSettled([...this.attempts]);
    this.active = 0;
    this.wakeIdle();
  }

  private hold(job: Job, limitMs: number): void {
    const id = job.webhook.link_session_id;
    const waiting = this.held.get(id) ?? new Set<() => void>();
    this.held.set(id, waiting);
    const release = () => {
      if (!waiting.delete(release)) return;
      if (waiting.size === 0 && this.held.get(id) === waiting) this.held.delete(id);
      this.later(() => this.attempt(job), this.lag());
    };
    waiting.add(release);
    this.later(release, limitMs);
  }

  /** Sends what waited for this session's `SESSION_FINISHED`. */
  private release(linkSessionId: string): void {
    this.held.get(linkSessionId)?.forEach((release) => release());
  }

  private attempt(job: Job): void {
    const running = this.deliver(job);
    this.attempts.add(running);
    void running.finally(() => this.attempts.delete(running));
  }

  private async deliver(job: Job): Promise<void> {
    if (this.closed) return;
    const { delivery, signer, fetch, onFailure } = this.options;
    job.attempts += 1;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = this.later(
      () => controller.abort(new Error(`no answer within ${delivery.timeoutMs} ms`)),
      delivery.timeoutMs,
    );
    let reason: string | null = null;
    try {
      const response = await fetch(job.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Plaid-Verification': await signer.sign(job.body) },
        body: job.body,
        signal: controller.signal,
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      // Plaid retries anything but a 200 (LAYER.md §2, "non-200").
      if (response.status !== 200) reason = `HTTP ${response.status}`;
    } catch (error) {
      const cause = controller.signal.aborted ? controller.signal.reason : error;
      reason = cause instanceof Error ? cause.message : String(cause);
    } finally {
      clearTimeout(timeout);
      this.timers.delete(timeout);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    if (reason === null) {
      if (job.webhook.webhook_code === 'SESSION_FINISHED') this.release(job.webhook.link_session_id);
      return this.done();
    }
    const wait = delivery.retryDelayMs * delivery.retryBackoff ** (job.attempts - 1);
    const final = job.attempts > delivery.maxRetries || job.waited + wait > delivery.retryWindowMs;
    // The caller's hook (the emulator's `onWebhookFailure`) failing must not stop the retries, leave
    // idle waiters hanging, or reject unhandled (which ends a Node process): it is said, then passed.
    // An async hook fails by rejecting, after this returns: its promise gets the same treatment.
    const said = (how: string) => (error: unknown) =>
      console.error(
        `plaid emulator: onWebhookFailure ${how} (${error instanceof Error ? error.name : typeof error})`,
      );
    try {
      const returned: unknown = onFailure({
        url: job.url,
        webhook_code: job.webhook.webhook_code,
        reason,
        attempt: job.attempts,
        final,
      });
      if (typeof (returned as PromiseLike<void> | null)?.then === 'function')
        Promise.resolve(returned).catch(said('rejected'));
    } catch (error) {
      said('threw')(error);
    }
    if (final) {
      // A SESSION_FINISHED that never arrives must not hold its session's other webhook forever.
      if (job.webhook.webhook_code === 'SESSION_FINISHED') this.release(job.webhook.link_session_id);
      return this.done();
    }
    job.waited += wait;
    this.later(() => this.attempt(job), wait);
  }

  private done(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  private lag(): number {
    const [min, max] = this.options.delivery.delayMs;
    return min + (max - min) * this.options.delivery.random();
  }

  private later(run: () => void, ms: number): Timer {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    // Node and Bun: a pending delivery must not keep the process alive (browsers have no unref).
    (timer as { unref?: () => void }).unref?.();
    this.timers.add(timer);
    return timer;
  }
}
