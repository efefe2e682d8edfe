/**
 * The business questions of docs/SPEC.md §4, each a pure plan over a gold snapshot, in the order `all` runs them.
 */
import type { DataFrame } from '../../spark/index.js';
import { airportMaxInOutDiff } from './airport-max-in-out-diff.js';
import { avgFlightLengthPerContinent } from './avg-flight-length-per-continent.js';
import { longestFlight } from './longest-flight.js';
import { topAirline } from './top-airline.js';
import { topManufacturer } from './top-manufacturer.js';
import { topModelsPerAirlineCountry } from './top-models-per-airline-country.js';
import { topRegionalAirlinePerContinent } from './top-regional-airline-per-continent.js';

export interface Question {
  name: string;
  description: string;
  /** The columns of each answer row, in order. */
  columns: readonly string[];
  plan: (gold: DataFrame) => DataFrame;
}

export const QUESTIONS: readonly Question[] = [
  {
    name: 'top-airline',
    description: 'the airline with the most flights',
    columns: ['airline', 'flights'],
    plan: topAirline,
  },
  {
    name: 'top-regional-airline-per-continent',
    description: 'per continent, the airline with the most regional flights (origin continent = destination continent)',
    columns: ['continent', 'airline', 'flights'],
    plan: topRegionalAirlinePerContinent,
  },
  {
    name: 'longest-flight',
    description: 'the flight with the longest origin-destination great-circle distance',
    columns: ['id', 'number', 'airline', 'origin', 'destination', 'distance_km'],
    plan: longestFlight,
  },
  {
    name: 'avg-flight-length-per-continent',
    description: 'per continent, the average distance of its regional flights',
    columns: ['continent', 'avg_distance_km', 'flights'],
    plan: avgFlightLengthPerContinent,
  },
  {
    name: 'top-manufacturer',
    description: 'the aircraft manufacturer with the most flights',
    columns: ['manufacturer', 'flights'],
    plan: topManufacturer,
  },
  {
    name: 'top-models-per-airline-country',
    description: 'per airline country, the 3 most used aircraft models',
    columns: ['country', 'rank', 'model', 'flights'],
    plan: topModelsPerAirlineCountry,
  },
  {
    name: 'airport-max-in-out-diff',
    description: 'the airport with the largest difference between outgoing and incoming flights',
    columns: ['airport', 'outgoing', 'incoming', 'diff'],
    plan: airportMaxInOutDiff,
  },
];

export const ALL = 'all';

/** An unknown question name; the message lists the known ones. */
export class UnknownQuestionError extends Error {
  override name = 'UnknownQuestionError';
  constructor(readonly question: string) {
    super(`unknown question '${question}'; known: ${[...QUESTIONS.map((q) => q.name), ALL].join(', ')} (question=--help describes them)`);
  }
}

/** The questions a `question=` value asks for: one, or every one for `all`. */
export function questionsFor(name: string): Question[] {
  return name === ALL ? [...QUESTIONS] : [questionNamed(name)];
}

/** The question of that name; UnknownQuestionError for any other (`all` included: it is several). */
export function questionNamed(name: string): Question {
  const question = QUESTIONS.find((q) => q.name === name);
  if (!question) throw new UnknownQuestionError(name);
  return question;
}

/** `question=--help`: one line per question. */
export function questionHelp(): string {
  const width = Math.max(...QUESTIONS.map((q) => q.name.length), ALL.length);
  return [...QUESTIONS.map((q) => `${q.name.padEnd(width)}  ${q.description}`), `${ALL.padEnd(width)}  every question above, in order`].join('\n');
}
