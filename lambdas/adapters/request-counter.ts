/**
 * Counts the requests an AWS SDK v3 client sends, per command, through the client's own
 * middleware stack (no wrapper to forget at a call site). Placement reports DynamoDB and SNS
 * requests per match from these counts, and the benchmarks read them.
 */
type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;
type AddMiddleware = (middleware: Middleware, options: { step: 'initialize'; name: string }) => void;

/** Any SDK v3 client: each has its own generic stack type, so only `add` is assumed here. */
export interface CountableClient {
  readonly middlewareStack: { add(...args: never[]): unknown };
}

export class RequestCounter {
  readonly #counts = new Map<string, number>();

  /** Attach to a client; every command it sends (retries excluded) is counted once. */
  attach(client: CountableClient, prefix: string): this {
    const add = client.middlewareStack.add.bind(client.middlewareStack) as unknown as AddMiddleware;
    add(
      (next, context) => async (args) => {
        const key = `${prefix}.${context.commandName ?? 'unknown'}`;
        this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: `bridgeRequestCounter-${prefix}` },
    );
    return this;
  }

  /** Counts per `<service>.<Command>`, e.g. `dynamodb.PutItemCommand`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Total for one service prefix, e.g. `dynamodb`. */
  total(prefix: string): number {
    let n = 0;
    for (const [k, v] of this.#counts) if (k.startsWith(`${prefix}.`)) n += v;
    return n;
  }

  reset(): void {
    this.#counts.clear();
  }
}
