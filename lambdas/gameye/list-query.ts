/** The query string of `GET /session` (session-list). */
import type { ListSessionsQuery } from './contract.ts';

/**
 * `GET /session`'s query. Keys are fixed and values are encoded; deepObject brackets stay
 * literal (`filter[status]=running`), as the OpenAPI deepObject style shows them.
 */
export function encodeListQuery(query: ListSessionsQuery): string {
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean): void => {
    parts.push(`${key}=${encodeURIComponent(String(value))}`);
  };
  if (query.all !== undefined) add('all', query.all);
  if (query.location !== undefined) add('location', query.location);
  if (query.image !== undefined) add('image', query.image);
  if (query.tag !== undefined) add('tag', query.tag);
  if (query.host !== undefined) add('host', query.host);
  if (query.playerCount?.lt !== undefined) add('playerCount[lt]', query.playerCount.lt);
  if (query.playerCount?.gt !== undefined) add('playerCount[gt]', query.playerCount.gt);
  for (const [key, value] of Object.entries(query.filter ?? {}))
    add(`filter[${encodeURIComponent(key)}]`, value);
  for (const [key, value] of Object.entries(query.filterNot ?? {}))
    add(`filterNot[${encodeURIComponent(key)}]`, value);
  return parts.join('&');
}
