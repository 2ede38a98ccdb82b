/**
 * A small, seeded model of the world for the local matchmaker: cities where players live,
 * the data centres behind each Gameye region, and round-trip latency that follows
 * great-circle distance plus last-mile cost and jitter. Good enough that the bridge's
 * region choice has something real to get right, and deterministic for a given seed.
 */

export interface Place {
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

/** Matchmaker region name (what players measure) → where its data centre is. */
export const DATA_CENTRES: Readonly<Record<string, Place>> = {
  dublin: { name: 'Dublin', lat: 53.35, lon: -6.26 },
  frankfurt: { name: 'Frankfurt', lat: 50.11, lon: 8.68 },
  virginia: { name: 'Ashburn', lat: 39.04, lon: -77.49 },
  'new-york': { name: 'New York', lat: 40.71, lon: -74.0 },
  singapore: { name: 'Singapore', lat: 1.35, lon: 103.82 },
  tokyo: { name: 'Tokyo', lat: 35.68, lon: 139.69 },
  'sao-paulo': { name: 'São Paulo', lat: -23.55, lon: -46.63 },
};

/**
 * The AWS region of each data centre that has one, as FlexMatch keys player latencies
 * (`LatencyInMs`). New York has none: FlexMatch players never report it.
 */
export const AWS_REGION_OF: Readonly<Record<string, string>> = {
  dublin: 'eu-west-1',
  frankfurt: 'eu-central-1',
  virginia: 'us-east-1',
  singapore: 'ap-southeast-1',
  tokyo: 'ap-northeast-1',
  'sao-paulo': 'sa-east-1',
};

/** Where players connect from, with a weight for how many play there. */
export const CITIES: readonly (Place & { readonly weight: number })[] = [
  { name: 'London', lat: 51.5, lon: -0.13, weight: 8 },
  { name: 'Paris', lat: 48.86, lon: 2.35, weight: 6 },
  { name: 'Berlin', lat: 52.52, lon: 13.4, weight: 6 },
  { name: 'Madrid', lat: 40.42, lon: -3.7, weight: 4 },
  { name: 'Stockholm', lat: 59.33, lon: 18.07, weight: 3 },
  { name: 'Warsaw', lat: 52.23, lon: 21.01, weight: 3 },
  { name: 'New York', lat: 40.71, lon: -74.0, weight: 7 },
  { name: 'Chicago', lat: 41.88, lon: -87.63, weight: 5 },
  { name: 'Toronto', lat: 43.65, lon: -79.38, weight: 3 },
  { name: 'Atlanta', lat: 33.75, lon: -84.39, weight: 3 },
  { name: 'São Paulo', lat: -23.55, lon: -46.63, weight: 5 },
  { name: 'Buenos Aires', lat: -34.6, lon: -58.38, weight: 3 },
  { name: 'Tokyo', lat: 35.68, lon: 139.69, weight: 6 },
  { name: 'Seoul', lat: 37.57, lon: 126.98, weight: 5 },
  { name: 'Singapore', lat: 1.35, lon: 103.82, weight: 3 },
  { name: 'Jakarta', lat: -6.2, lon: 106.85, weight: 3 },
  { name: 'Sydney', lat: -33.87, lon: 151.21, weight: 3 },
];

/** Great-circle distance in km (haversine). */
export function distanceKm(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * Round-trip time in ms: light in fibre covers ~100 km per ms of RTT, routes are ~1.4× the
 * great circle, plus a last-mile cost and jitter.
 */
export function latencyMs(from: Place, to: Place, rnd: () => number): number {
  const route = (distanceKm(from, to) * 1.4) / 100;
  return Math.round(6 + route + rnd() * 12);
}

/** A seed reproduces a whole run: the same small PRNG the emulator uses. */
export { seededRandom } from '../../gameye-emulator/rng.ts';

export function pickWeighted<T extends { weight: number }>(items: readonly T[], rnd: () => number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = rnd() * total;
  for (const item of items) {
    x -= item.weight;
    if (x <= 0) return item;
  }
  return items[items.length - 1] as T;
}
