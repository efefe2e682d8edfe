/** `value`, which the test needs to exist: a missing one fails there, naming `what`, not as a TypeError later. */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}, found none`);
  return value;
}
