/**
 * Reference facts checked by hand, for test oracles that must not reuse the production lookup tables
 * (jobs/reference/): a test that derived its expectations from those tables would agree with any mistake in them.
 */

/** The manufacturer of every aircraft type in the seed sample (ICAO Doc 8643 designators), checked by hand. */
export const MANUFACTURER_OF_TYPE: Readonly<Record<string, string>> = {
  A319: 'Airbus', A320: 'Airbus', A20N: 'Airbus', A321: 'Airbus', A21N: 'Airbus',
  A332: 'Airbus', A333: 'Airbus', A338: 'Airbus', A339: 'Airbus', A343: 'Airbus', A346: 'Airbus',
  A359: 'Airbus', A35K: 'Airbus', A388: 'Airbus',
  // The A220, designed by Bombardier as the CSeries, is built and sold by Airbus since 2018.
  BCS1: 'Airbus', BCS3: 'Airbus',
  B733: 'Boeing', B737: 'Boeing', B738: 'Boeing', B739: 'Boeing', B38M: 'Boeing', B39M: 'Boeing',
  B744: 'Boeing', B748: 'Boeing', B752: 'Boeing', B763: 'Boeing', B764: 'Boeing',
  B772: 'Boeing', B77L: 'Boeing', B77W: 'Boeing', B788: 'Boeing', B789: 'Boeing', B78X: 'Boeing',
  E135: 'Embraer', E190: 'Embraer', E545: 'Embraer', E75L: 'Embraer',
  CL60: 'Bombardier', GLEX: 'Bombardier', GL7T: 'Bombardier',
  GLF4: 'Gulfstream', GLF6: 'Gulfstream',
  FA7X: 'Dassault',
};

/**
 * The home country of the largest airlines of the seed sample, by ICAO designator, checked by hand (in the
 * spelling the product uses for countries).
 */
export const COUNTRY_OF_AIRLINE: Readonly<Record<string, string>> = {
  AAL: 'United States', DAL: 'United States', UAL: 'United States', JBU: 'United States',
  ACA: 'Canada', AFR: 'France', BAW: 'United Kingdom', DLH: 'Germany', IBE: 'Spain', KLM: 'Netherlands',
  SWR: 'Switzerland', THY: 'Türkiye', QTR: 'Qatar', UAE: 'United Arab Emirates', ANA: 'Japan',
  KAL: 'South Korea', CPA: 'Hong Kong', SIA: 'Singapore', QFA: 'Australia', ANZ: 'New Zealand',
};

/** The continent of the seed sample's countries that the original project left `Unknown`, checked by hand. */
export const CONTINENT_SEED_LACKS: Readonly<Record<string, string>> = {
  'Antigua And Barbuda': 'North America',
  Curacao: 'North America',
};
