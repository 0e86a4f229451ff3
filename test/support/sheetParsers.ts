// Parsers that misbehave, run on a sheet's reading thread by test/uploads/sheets.test.ts: one never ends,
// one takes memory without end. The thread's wall-clock timeout and heap cap must stop both.

/** Never returns. */
export function forever(): never {
  for (;;);
}

/** Keeps every array it makes until the heap runs out. */
export function hoard(): never {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i));
}
