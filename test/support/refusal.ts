// What a service refused with: the DomainError a call throws (any other error, or none, fails the test).
import { DomainError } from "../../core/errors.js";

/**
 * The DomainError `run` throws.
 * @example expect(refusal(() => p.approvePlan(bureau, planId, NOW)).code).toBe("wrong_state")
 */
export function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a DomainError");
}
