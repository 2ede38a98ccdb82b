/** A publisher that records what it was given and can fail once, before or after "sending". */
import type { SessionEvent } from '../../lambdas/core/events.ts';
import type { EventPublisher } from '../../lambdas/core/ports.ts';

export class RecordingPublisher implements EventPublisher {
  readonly events: SessionEvent[] = [];
  #fault: { when: 'before' | 'after'; error: Error } | undefined;

  /** `after`: the message reaches SNS and then the caller dies (so it is published twice later). */
  failOnce(when: 'before' | 'after' = 'after', error = new Error('injected publisher crash')): void {
    this.#fault = { when, error };
  }

  #maybeFail(when: 'before' | 'after'): void {
    const fault = this.#fault;
    if (fault?.when !== when) return;
    this.#fault = undefined;
    throw fault.error;
  }

  async publish(event: SessionEvent): Promise<void> {
    this.#maybeFail('before');
    this.events.push(structuredClone(event));
    this.#maybeFail('after');
  }

  ofType<T extends SessionEvent['type']>(type: T): Extract<SessionEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
  }
}
