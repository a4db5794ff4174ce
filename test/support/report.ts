// Vector checks return a Report (cases run, failures) instead of asserting, so
// the same check runs in the real suites (must be clean) and in
// test/harness.test.ts against deliberately broken platforms (must not be).

import * as assert from 'uvu/assert';
import { CoreError } from '../../hal/node/core.ts';
import { equalBytes, toHex } from './hex.ts';

/** What one vector check found. */
export interface Report {
  name: string;
  /** Cases executed. */
  ran: number;
  /** Cases that had to run (the file's count minus documented exclusions). */
  expected: number;
  /** Counted notes (exclusions, contract-limited cases) printed with the result. */
  notes: string[];
  /** One line per failed case; a count mismatch is a failure too. */
  failures: string[];
}

/** One error, readably: the CoreError code, or the class and message. */
export function describeError(e: unknown): string {
  if (e instanceof CoreError) return `CoreError ${e.code}`;
  if (e instanceof Error) return `${e.name}: ${e.message.split('\n')[0]}`;
  return `non-Error throw ${String(e)}`;
}

/** Thrown inside a case to fail it with a message. */
export class CaseFailure extends Error {}

/** Collects case results for a Report. */
export class Run {
  private ran = 0;
  private readonly notes: string[] = [];
  private readonly failures: string[] = [];
  constructor(readonly name: string, private expected: number) {}

  /** Adds a counted note. */
  note(text: string): void { this.notes.push(text); }
  /** Records a failure not tied to a case (e.g. a malformed file). */
  fail(text: string): void { this.failures.push(text); }
  /** Changes the number of cases that must run (after exclusions are known). */
  expect(n: number): void { this.expected = n; }

  /** Runs one case; any exception fails it. */
  case(id: string, body: () => void): void {
    this.ran++;
    try {
      body();
    } catch (e) {
      this.failures.push(`${id}: ${e instanceof CaseFailure ? e.message : `threw ${describeError(e)}`}`);
    }
  }

  finish(): Report {
    const failures = [...this.failures];
    if (this.ran !== this.expected) failures.push(`ran ${this.ran} cases, expected ${this.expected}`);
    if (this.expected <= 0) failures.push('no applicable cases (a filter or parser dropped everything)');
    return { name: this.name, ran: this.ran, expected: this.expected, notes: [...this.notes], failures };
  }
}

// ---- expectations used inside cases ----

export function expectBytes(what: string, got: Uint8Array | null, want: Uint8Array): void {
  if (got === null) throw new CaseFailure(`${what}: got null, want ${toHex(want)}`);
  if (!(got instanceof Uint8Array)) throw new CaseFailure(`${what}: got ${typeof got}, want bytes`);
  if (!equalBytes(got, want)) throw new CaseFailure(`${what}: ${diff(got, want)}`);
}

/** got/want in hex; for long values only the region around the first difference. */
export function diff(got: Uint8Array, want: Uint8Array): string {
  if (got.length <= 64 && want.length <= 64) return `got ${toHex(got)}, want ${toHex(want)}`;
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const from = Math.max(0, i - 8);
  return `got ${got.length} B, want ${want.length} B, first difference at byte ${i}: `
    + `got [${from}..] ${toHex(got.subarray(from, from + 32))}, want [${from}..] ${toHex(want.subarray(from, from + 32))}`;
}

export function expectTrue(what: string, cond: boolean): void {
  if (cond !== true) throw new CaseFailure(`${what}: got ${String(cond)}, want true`);
}

export function expectFalse(what: string, cond: boolean): void {
  if (cond !== false) throw new CaseFailure(`${what}: got ${String(cond)}, want false`);
}

export function expectNull(what: string, got: Uint8Array | null): void {
  if (got !== null) throw new CaseFailure(`${what}: got ${got instanceof Uint8Array ? toHex(got.subarray(0, 64)) : String(got)}, want null`);
}

/** `fn` must throw something `accept` approves of. */
export function expectThrow(what: string, fn: () => unknown, accept: (e: unknown) => boolean, wanted: string): void {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (accept(e)) return;
    throw new CaseFailure(`${what}: threw ${describeError(e)}, want ${wanted}`);
  }
  throw new CaseFailure(`${what}: returned ${result instanceof Uint8Array ? toHex(result.subarray(0, 64)) : String(result)}, want ${wanted}`);
}

export const isCoreError = (code: string) => (e: unknown): boolean => e instanceof CoreError && e.code === code;
export const isRangeError = (e: unknown): boolean => e instanceof RangeError;
export const isTypeError = (e: unknown): boolean => e instanceof TypeError;

// ---- asserting a report in a suite ----

/** Prints the report's counts and notes, then fails the test if the report has failures. */
export function assertClean(r: Report): void {
  const notes = r.notes.length ? `; ${r.notes.join('; ')}` : '';
  console.log(`    ${r.name}: ran ${r.ran}/${r.expected}${notes}`);
  if (r.failures.length === 0) return;
  const shown = r.failures.slice(0, 12).map((f) => `  - ${f}`).join('\n');
  const more = r.failures.length > 12 ? `\n  ... and ${r.failures.length - 12} more` : '';
  assert.unreachable(`${r.name}: ${r.failures.length} failure(s)\n${shown}${more}`);
}

/** For the harness: the check must have caught the broken platform. */
export function assertCaught(r: Report, mention?: RegExp): void {
  assert.ok(r.failures.length > 0, `${r.name}: the broken platform passed every case (${r.ran} run)`);
  if (mention) {
    assert.ok(r.failures.some((f) => mention.test(f)), `${r.name}: no failure matches ${mention}: ${r.failures.slice(0, 5).join(' | ')}`);
  }
}
