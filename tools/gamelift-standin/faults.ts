/**
 * What the stand-in does to a `DescribeMatchmaking` call before answering it: wait the
 * configured answer latency, then fail it when a fault is due. Faults are either queued (the
 * next n calls fail this way, which tests use to say exactly what happens) or drawn at a
 * seeded rate (which the local simulation uses to sprinkle them over a run, reproducibly).
 */
import * as z from 'zod';
import { type Random, seededRandom } from '../gameye-emulator/rng.ts';

/**
 * `throttling`: 400 `ThrottlingException`, what GameLift answers past its request rate.
 * `internal`: 500 `InternalServiceException`, GameLift's own failure.
 */
export const FaultKind = z.enum(['throttling', 'internal']);
export type FaultKind = z.infer<typeof FaultKind>;

const Probability = z.number().min(0).max(1);

/** The fault settings, as the admin route and `configure` take them. */
export const FaultSettings = z
  .object({
    /** Answer every call after this many ms (the benchmark's GameLift answers in 20 ms). */
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    /** Share of calls failed with each kind, drawn from a seeded generator. */
    rates: z
      .object({ throttling: Probability.optional(), internal: Probability.optional() })
      .strict()
      .optional(),
    /** Seed of the rate draws. */
    seed: z.number().int().optional(),
  })
  .strict()
  .refine((s) => (s.rates?.throttling ?? 0) + (s.rates?.internal ?? 0) <= 1, {
    message: 'expected rates that add up to at most 1',
    path: ['rates'],
  });
export type FaultSettings = z.input<typeof FaultSettings>;

/** Fault injection and answer latency of one stand-in. */
export class FaultControls {
  #queued: FaultKind[] = [];
  #rates = { throttling: 0, internal: 0 };
  #random: Random = seededRandom(1);
  #latencyMs: number;

  constructor(latencyMs = 0) {
    this.#latencyMs = z.number().int().min(0).max(60_000).parse(latencyMs);
  }

  /** The next `times` calls fail with `kind` (after any already queued). */
  failNext(kind: FaultKind, times = 1): void {
    const parsedKind = FaultKind.parse(kind);
    const count = z.number().int().min(1).max(1_000).parse(times);
    for (let i = 0; i < count; i++) this.#queued.push(parsedKind);
  }

  /** Latency, rates and seed; fields left out keep their value. */
  configure(settings: FaultSettings): void {
    const parsed = FaultSettings.parse(settings);
    if (parsed.latencyMs !== undefined) this.#latencyMs = parsed.latencyMs;
    if (parsed.rates !== undefined)
      this.#rates = { throttling: parsed.rates.throttling ?? 0, internal: parsed.rates.internal ?? 0 };
    if (parsed.seed !== undefined) this.#random = seededRandom(parsed.seed);
  }

  /** How long each call waits before its answer, in ms. */
  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** Calls still queued to fail. */
  get pending(): readonly FaultKind[] {
    return [...this.#queued];
  }

  /** No latency, no queued fault, no rates, the default seed. */
  clear(): void {
    this.#queued = [];
    this.#rates = { throttling: 0, internal: 0 };
    this.#random = seededRandom(1);
    this.#latencyMs = 0;
  }

  /** The fault this call gets, if any: a queued one first, else one drawn at the rates. */
  next(): FaultKind | undefined {
    const queued = this.#queued.shift();
    if (queued !== undefined) return queued;
    const { throttling, internal } = this.#rates;
    if (throttling === 0 && internal === 0) return undefined;
    const r = this.#random();
    if (r < throttling) return 'throttling';
    if (r < throttling + internal) return 'internal';
    return undefined;
  }
}
