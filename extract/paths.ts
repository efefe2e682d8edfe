/** Object keys of what the extractor writes (SPEC §2). All times UTC. */
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function bronzeKey(snapshotTime: Date): string {
  const d = snapshotTime;
  const [y, mo, da, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return `bronze/flights/year=${y}/month=${pad(mo)}/day=${pad(da)}/hour=${pad(h)}/flights_${y}${pad(mo)}${pad(da)}${pad(h)}${pad(mi)}${pad(s)}.csv`;
}

export const AIRLINES_KEY = 'reference/airlines.csv';
export const AIRPORTS_KEY = 'reference/airports.csv';
