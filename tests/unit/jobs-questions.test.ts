import { describe, expect, it } from 'vitest';
import { QUESTIONS, questionHelp, questionsFor, UnknownQuestionError } from '../../jobs/answers/index.js';
import { EARTH_RADIUS_KM } from '../../jobs/gold.js';
import { haversineKm } from '../support/jobs-haversine.js';
import { readSeedGold } from '../support/jobs-seed-gold.js';

describe('the business questions (docs/SPEC.md §4)', () => {
  it('lists the seven questions of docs/SPEC.md §4, one line each, then all', () => {
    const names = ['top-airline', 'top-regional-airline-per-continent', 'longest-flight', 'avg-flight-length-per-continent',
      'top-manufacturer', 'top-models-per-airline-country', 'airport-max-in-out-diff'];
    expect(QUESTIONS.map((q) => q.name)).toEqual(names);
    const lines = questionHelp().split('\n');
    expect(lines).toHaveLength(8);
    names.forEach((name, i) => expect(lines[i]).toMatch(new RegExp(`^${name}\\s`)));
    expect(lines[7]).toMatch(/^all\s+every question/);
  });

  it('resolves all to every question in order, and refuses an unknown one naming the known ones', () => {
    expect(questionsFor('all').map((q) => q.name)).toEqual(QUESTIONS.map((q) => q.name));
    expect(questionsFor('longest-flight')).toHaveLength(1);
    expect(() => questionsFor('cheapest-flight')).toThrow(UnknownQuestionError);
    expect(() => questionsFor('cheapest-flight')).toThrow(/cheapest-flight.*top-airline/);
  });
});

describe('great-circle distance', () => {
  it('the seed gold distance is a haversine on a 6371 km sphere, as the gold job computes it', async () => {
    expect(EARTH_RADIUS_KM).toBe(6371);
    const seed = await readSeedGold();
    for (const f of seed) {
      const d = haversineKm(f.origin_latitude!, f.origin_longitude!, f.destination_latitude!, f.destination_longitude!);
      expect(Math.abs(d - f.distance!)).toBeLessThan(0.01);
    }
  });
});
