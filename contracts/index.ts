/**
 * What the extractor writes and the jobs read, declared once: storage keys, the CSV dialect, the bronze and
 * reference columns. Dependency-free (no imports outside this folder), so extract/ and jobs/ both import it
 * without importing each other.
 */
export * from './bronze.js';
export * from './csv.js';
export * from './reference.js';
export * from './storage.js';
