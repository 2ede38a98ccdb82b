/**
 * The FlexMatch configurations of this project's app (`bin/app.ts`), from CDK context:
 * `-c flexMatch='{"ranked-5v5-config":{"profile":"ranked-5v5"}}'` on the command line (a JSON
 * string), or the same map as an object under `context.flexMatch` in `cdk.json`. The construct
 * checks the names and profiles; this reads the shape.
 */
import * as z from 'zod';
import type { FlexMatchProps } from './bridge-props.ts';

const Configurations = z.record(z.string(), z.object({ profile: z.string() }).strict());

/** The `flexMatch` prop from the context value, or undefined when the context has none. */
export function flexMatchFromContext(value: unknown): FlexMatchProps | undefined {
  if (value === undefined || value === '') return undefined;
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value) as unknown;
    } catch (err) {
      throw new Error(`-c flexMatch: not JSON (${(err as Error).message})`, { cause: err });
    }
  }
  const parsed = Configurations.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `-c flexMatch: expected {"<configuration name>": {"profile": "<profile>"}, …}: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return { configurations: parsed.data };
}
