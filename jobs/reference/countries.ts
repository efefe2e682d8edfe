/**
 * Country name → ISO code, canonical name and continent, from the maintained `countries-list` dataset
 * (a dependency), so no continent list is typed by hand. FR24 (and the airline dataset) spell some
 * countries differently from the dataset; those spellings are mapped explicitly below and tested.
 */
import { continents, countries } from 'countries-list';

export type ContinentCode = keyof typeof continents;

/** The label the gold layer uses for a flight whose airport country has no continent (as the seed gold does). */
export const UNKNOWN = 'Unknown';

/**
 * Spellings used by FR24's airport list (and by the OpenFlights airline data) that the dataset knows under
 * another name or not at all, → ISO 3166-1 alpha-2. Keys are compared after `normalizeCountryName`.
 */
export const COUNTRY_NAME_ALIASES: Readonly<Record<string, string>> = {
  'antigua and barbuda': 'AG',
  'bosnia and herzegovina': 'BA',
  'brunei darussalam': 'BN',
  'cape verde': 'CV',
  'cote d ivoire': 'CI',
  'curacao': 'CW',
  'czech republic': 'CZ',
  'democratic republic of congo': 'CD',
  'democratic republic of the congo': 'CD',
  'congo kinshasa': 'CD',
  'congo brazzaville': 'CG',
  'congo': 'CG',
  'republic of the congo': 'CG',
  'east timor': 'TL',
  'timor leste': 'TL',
  'timor leste east timor': 'TL',
  // Dissolved in 2010; the airports so labelled (Bonaire, Saba, Sint Eustatius) are the Caribbean Netherlands.
  'netherlands antilles': 'BQ',
  // US island territories the dataset groups as the Minor Outlying Islands.
  'wake island': 'UM',
  'johnston atoll': 'UM',
  'midway islands': 'UM',
  'eswatini': 'SZ',
  'falkland islands': 'FK',
  'falkland islands malvinas': 'FK',
  'heard island and mcdonald islands': 'HM',
  'hong kong sar of china': 'HK',
  'lao peoples democratic republic': 'LA',
  'laos': 'LA',
  'macau': 'MO',
  'micronesia': 'FM',
  'federated states of micronesia': 'FM',
  'myanmar burma': 'MM',
  'netherland': 'NL',
  'north korea': 'KP',
  'palestine': 'PS',
  'palestinian territory': 'PS',
  'reunion': 'RE',
  'russia': 'RU',
  'saint barthelemy': 'BL',
  'saint helena': 'SH',
  'saint kitts and nevis': 'KN',
  'saint lucia': 'LC',
  'saint martin': 'MF',
  'saint pierre and miquelon': 'PM',
  'saint vincent and the grenadines': 'VC',
  'sao tome and principe': 'ST',
  'sint maarten': 'SX',
  'somali republic': 'SO',
  'south korea': 'KR',
  'svalbard': 'SJ',
  'swaziland': 'SZ',
  'trinidad and tobago': 'TT',
  'turks and caicos islands': 'TC',
  'united states minor outlying islands': 'UM',
  'us virgin islands': 'VI',
  'virgin islands us': 'VI',
  'virgin islands united states': 'VI',
  'british virgin islands': 'VG',
  'virgin islands british': 'VG',
  'vatican': 'VA',
  'wallis and futuna': 'WF',
  'kosovo': 'XK',
};

/**
 * Transcontinental countries whose dataset continent differs from the one the product reports.
 * Russia: `countries-list` gives Asia first; most of its people, airports and traffic are in Europe, and the
 * seed gold of the original project (tests/fixtures/seed-gold-sample.parquet) says Europe — kept so answers stay comparable.
 */
export const CONTINENT_OVERRIDES: Readonly<Record<string, ContinentCode>> = { RU: 'EU' };

/**
 * The comparison form of a country name: lower case, accents removed, `&` read as `and`, every run of
 * other characters one space. Spark applies the same steps (see `normalizedCountrySql`).
 */
export function normalizeCountryName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The same normalisation as a Spark SQL expression over a string column (accented Latin letters folded). */
export function normalizedCountrySql(column: string): string {
  const from = 'áàâäãåçéèêëíìîïñóòôöõøúùûüýÿ';
  const to = 'aaaaaaceeeeiiiinoooooouuuuyy';
  return `trim(regexp_replace(regexp_replace(translate(lower(${column}), '${from}', '${to}'), '&', ' and '), '[^a-z0-9]+', ' '))`;
}

export interface CountryInfo {
  iso: string;
  /** The dataset's English short name: the one spelling the product uses for airline countries. */
  name: string;
  continent: string;
}

function infoOf(iso: string): CountryInfo | undefined {
  const data = (countries as Record<string, { name: string; continent: ContinentCode }>)[iso];
  if (!data) return iso === 'XK' ? { iso, name: 'Kosovo', continent: continents.EU } : undefined;
  return { iso, name: data.name, continent: continents[CONTINENT_OVERRIDES[iso] ?? data.continent] };
}

/** Every known spelling (normalised) → ISO code: dataset names, its aliases, then the explicit FR24 aliases. */
function buildIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const [iso, data] of Object.entries(countries as Record<string, { name: string; alias?: string[] }>)) {
    for (const spelling of [data.name, ...(data.alias ?? [])]) index.set(normalizeCountryName(spelling), iso);
  }
  for (const [spelling, iso] of Object.entries(COUNTRY_NAME_ALIASES)) index.set(normalizeCountryName(spelling), iso);
  return index;
}

const INDEX = buildIndex();

/** Resolves a country as spelled by FR24 or OpenFlights; undefined when no spelling matches. */
export function resolveCountry(name: string | null | undefined): CountryInfo | undefined {
  if (!name) return undefined;
  const iso = INDEX.get(normalizeCountryName(name));
  return iso ? infoOf(iso) : undefined;
}

export function continentOf(name: string | null | undefined): string | undefined {
  return resolveCountry(name)?.continent;
}

/** One row per known spelling: the lookup table handed to Spark (joined on `country_key`). */
export interface CountryLookupRow {
  country_key: string;
  country_iso: string;
  country_name: string;
  continent: string;
}

export function countryLookupRows(): CountryLookupRow[] {
  const rows: CountryLookupRow[] = [];
  for (const [key, iso] of INDEX) {
    const info = infoOf(iso);
    if (info) rows.push({ country_key: key, country_iso: iso, country_name: info.name, continent: info.continent });
  }
  return rows.sort((a, b) => a.country_key.localeCompare(b.country_key));
}
