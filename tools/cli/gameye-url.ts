/**
 * Which Gameye API a deployed stack's CLI talks to. It sends the production token there, so
 * the URL must be https, and the stack's own `GameyeBaseUrl` output (what its functions call)
 * beats a `GAMEYE_BASE_URL` left over in the shell. In order:
 *
 * 1. `--gameye-url`: an explicit choice for this command; a note says when it overrides the
 *    stack's output.
 * 2. The stack's `GameyeBaseUrl` output. A `GAMEYE_BASE_URL` that differs is ignored, with a
 *    note.
 * 3. `GAMEYE_BASE_URL`, for a stack without that output.
 * 4. Gameye's production API.
 */
import { UsageError } from './errors.ts';

/** Gameye's production API, the construct's default `gameyeBaseUrl`. */
export { DEFAULT_GAMEYE_BASE_URL } from '../../lambdas/shared/resources.ts';

import { DEFAULT_GAMEYE_BASE_URL } from '../../lambdas/shared/resources.ts';

export interface GameyeUrlSources {
  /** `--gameye-url`. */
  readonly option?: string | undefined;
  /** `GAMEYE_BASE_URL`. */
  readonly env?: string | undefined;
  /** The stack's `GameyeBaseUrl` output. */
  readonly stackOutput?: string | undefined;
}

export interface ChosenGameyeUrl {
  readonly url: string;
  /** For stderr: a source that was overridden or ignored, so the choice is never silent. */
  readonly notes: readonly string[];
}

type Source = 'option' | 'env' | 'stackOutput' | 'default';

const NAMES: Readonly<Record<Source, string>> = {
  option: '--gameye-url',
  env: 'GAMEYE_BASE_URL',
  stackOutput: "the stack's GameyeBaseUrl output",
  default: 'the default Gameye URL',
};

const FIXES: Readonly<Record<Source, string>> = {
  option: "Pass an https:// URL, or leave --gameye-url out to use the stack's GameyeBaseUrl output.",
  env: 'Set GAMEYE_BASE_URL to an https:// URL, or unset it.',
  stackOutput: 'Pass --gameye-url https://…, or redeploy the stack with an https:// gameyeBaseUrl.',
  default: 'Pass --gameye-url https://….',
};

/**
 * The Gameye URL for deployed mode (see the module comment for the order). Throws a
 * UsageError (exit 2) naming where the URL came from when it is not https, before anyone
 * reads the token.
 */
export function chooseDeployedGameyeUrl(sources: GameyeUrlSources): ChosenGameyeUrl {
  const option = nonEmpty(sources.option);
  const env = nonEmpty(sources.env);
  const output = nonEmpty(sources.stackOutput);
  const notes: string[] = [];
  let url: string;
  let source: Source;
  if (option !== undefined) {
    [url, source] = [option, 'option'];
    if (output !== undefined && !sameUrl(output, option)) {
      notes.push(`overriding the stack's GameyeBaseUrl ${output} with --gameye-url ${option}`);
    }
  } else if (output !== undefined) {
    [url, source] = [output, 'stackOutput'];
    if (env !== undefined && !sameUrl(env, output)) {
      notes.push(
        `ignoring GAMEYE_BASE_URL ${env}: the stack's GameyeBaseUrl ${output} is used (pass --gameye-url to override it)`,
      );
    }
  } else if (env !== undefined) {
    [url, source] = [env, 'env'];
  } else {
    [url, source] = [DEFAULT_GAMEYE_BASE_URL, 'default'];
  }
  if (parse(url)?.protocol !== 'https:') {
    throw new UsageError(
      `${NAMES[source]} ${JSON.stringify(url)} is not an https:// URL: deployed mode sends the Gameye token there, so only https is accepted`,
      { code: 'INSECURE_GAMEYE_URL', details: [FIXES[source]] },
    );
  }
  return { url, notes };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parse(url: string): URL | undefined {
  return URL.canParse(url) ? new URL(url) : undefined;
}

/** `https://x` and `https://x/` are one API: compare parsed forms where both parse. */
function sameUrl(a: string, b: string): boolean {
  return (parse(a)?.href ?? a) === (parse(b)?.href ?? b);
}
