import { describe, expect, it } from 'vitest';
import {
  bronzeKey,
  manifestKey,
  parseAtHour,
  parseStamp,
  snapshotTimeOfAnswersSuccessKey,
  snapshotTimeOfBronzeKey,
  snapshotTimeOfGoldSuccessKey,
  snapshotTimeOfSilverSuccessKey,
  SnapshotArgumentError,
} from '../../contracts/index.js';
import { answersPath, goldPath, quarantinePath, silverPath } from '../../jobs/paths.js';

const t = new Date('2024-04-18T07:05:09Z');

describe('storage layout (docs/SPEC.md §2)', () => {
  it('derives every key of a snapshot from its UTC time', () => {
    expect(bronzeKey(t)).toBe('bronze/flights/year=2024/month=04/day=18/hour=07/flights_20240418070509.csv');
    expect(silverPath('flights', t)).toBe('s3a://flights/silver/flights/year=2024/month=04/day=18/hour=07/flights_20240418070509.parquet');
    expect(goldPath('b', t)).toBe('s3a://b/gold/flights/year=2024/month=04/day=18/hour=07/flights_20240418070509.parquet');
    expect(quarantinePath('b', t)).toBe('s3a://b/quarantine/flights/year=2024/month=04/day=18/hour=07/flights_20240418070509.parquet');
    expect(answersPath('b', t)).toBe('s3a://b/answers/year=2024/month=04/day=18/hour=07/answers_20240418070509.parquet');
    expect(manifestKey(t)).toBe('runs/2024/04/18/run_20240418070509.json');
  });

  it('reads a file-name stamp back only when it is a real UTC second', () => {
    expect(parseStamp('20240418070509')?.toISOString()).toBe(t.toISOString());
    expect(parseStamp('20241231235959')?.toISOString()).toBe('2024-12-31T23:59:59.000Z');
    for (const bad of ['20241301000000', '20240230120000', '20240418240000', '20240418076000', '2024041807050', '2024041807050x']) {
      expect(parseStamp(bad), bad).toBeUndefined();
    }
  });

  it('reads the snapshot time back from a gold _SUCCESS key only', () => {
    const key = 'gold/flights/year=2024/month=04/day=18/hour=07/flights_20240418070509.parquet/_SUCCESS';
    expect(snapshotTimeOfGoldSuccessKey(key)?.toISOString()).toBe(t.toISOString());
    expect(snapshotTimeOfGoldSuccessKey(key.replace('_SUCCESS', 'part-0000.parquet'))).toBeUndefined();
    expect(snapshotTimeOfGoldSuccessKey(key.replace('hour=07', 'hour=08'))).toBeUndefined();
    expect(snapshotTimeOfGoldSuccessKey(key.replace('gold/', 'silver/'))).toBeUndefined();
    expect(snapshotTimeOfGoldSuccessKey(key.replace('20240418070509', '20240418076509'))).toBeUndefined();
    expect(snapshotTimeOfGoldSuccessKey(key.replace('month=04', 'month=4'))).toBeUndefined();
    const answers = 'answers/year=2024/month=04/day=18/hour=07/answers_20240418070509.parquet/_SUCCESS';
    expect(snapshotTimeOfAnswersSuccessKey(answers)?.toISOString()).toBe(t.toISOString());
    expect(snapshotTimeOfAnswersSuccessKey(key)).toBeUndefined();
    expect(snapshotTimeOfGoldSuccessKey(answers)).toBeUndefined();
    expect(snapshotTimeOfSilverSuccessKey(key.replace('gold/', 'silver/'))?.toISOString()).toBe(t.toISOString());
    expect(snapshotTimeOfBronzeKey(bronzeKey(t))?.toISOString()).toBe(t.toISOString());
    expect(snapshotTimeOfBronzeKey(`${bronzeKey(t)}.tmp`)).toBeUndefined();
  });

  it('parses at=YYYY-MM-DDTHH as a UTC hour and rejects anything else with the expected form', () => {
    expect(parseAtHour('2024-04-18T07').toISOString()).toBe('2024-04-18T07:00:00.000Z');
    for (const bad of ['2024-04-18', '2024-04-18T7', '2024-02-30T10', '2024-04-18T24', 'yesterday']) {
      expect(() => parseAtHour(bad)).toThrow(SnapshotArgumentError);
      expect(() => parseAtHour(bad)).toThrow(/YYYY-MM-DDTHH/);
    }
  });
});
