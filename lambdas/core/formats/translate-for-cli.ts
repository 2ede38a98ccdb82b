/**
 * The translation the operator CLI runs before it sends a matchmaker's native message
 * (`bridge send-match --format …`): exactly what the placement function will do with it at the
 * edge, so a message the bridge would refuse is refused before it is sent, with the field. A
 * FlexMatch match comes back without latencies: placement looks them up by ticket, which the
 * notes say.
 */
import type { BridgeConfig } from '../config.ts';
import { MatchEventError } from '../errors.ts';
import { kindOf, translate } from '../inbound.ts';
import type { MatchFoundV1 } from '../match-event.ts';
import { accepts, FORMAT_INFO, type Format } from './sources.ts';

export type CliTranslation =
  | { readonly ok: true; readonly match: MatchFoundV1; readonly notes: string[] }
  | { readonly ok: false; readonly error: MatchEventError };

/**
 * `json` (already through the bridge's JSON reader) as the bridge would read it in `format`,
 * for a deployment with this configuration. Never throws.
 */
export function translateForCli(
  format: Format,
  json: unknown,
  config: Pick<Readonly<BridgeConfig>, 'sources'>,
): CliTranslation {
  const { name, source } = FORMAT_INFO[format];
  const refuse = (path: string, message: string, matchId?: string): CliTranslation => ({
    ok: false,
    error: new MatchEventError([{ path, message }], { format: name, matchId }),
  });
  const seen = kindOf(json);
  if (seen !== format) {
    const as =
      seen === 'match-ended'
        ? 'MatchEnded'
        : seen === 'match-backfilled'
          ? 'MatchBackfilled'
          : FORMAT_INFO[seen].name;
    return refuse(
      '',
      `the bridge reads this message as ${as}, not ${name}: check --format or the message's shape`,
    );
  }
  if (!accepts(config.sources, format)) {
    return refuse(
      '',
      `this deployment does not accept ${name} messages: its bridge config names no sources.${source}`,
    );
  }
  const translated = translate(format, json, config.sources);
  switch (translated.kind) {
    case 'match': {
      const notes = [...translated.notes];
      if (translated.tickets !== undefined) {
        notes.push(
          `latencies are looked up at placement (DescribeMatchmaking on ticket ${translated.tickets.map((t) => t.ticketId).join(', ')})`,
        );
      }
      return { ok: true, match: translated.match, notes };
    }
    case 'invalid':
      return { ok: false, error: translated.error };
    case 'refused':
      return refuse('resources', translated.message, translated.matchId);
    case 'ignored':
      return refuse(
        'detail.type',
        `${translated.what}: the bridge acknowledges it and places nothing`,
        translated.matchId,
      );
    case 'backfill':
      return refuse(
        'detail.tickets',
        `a backfill of match ${translated.backfill.matchId} (a ticket named backfill.<matchId>): send-match sends new matches`,
        translated.backfill.matchId,
      );
  }
}
