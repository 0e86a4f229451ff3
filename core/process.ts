// The school process (§2.5) as one service: plans and classes (core/plans.ts), results (core/results.ts),
// claims and the public notice (core/claims.ts), reports, roster, schools and staff (core/reports.ts), and the
// end of the retention period (core/retention.ts).
// What a staff chat menu and the bureau's CLI call; every method takes the actor first and checks it in core.
import { createClaimService } from "./claims.js";
import type { EnrolmentService } from "./enrolment.js";
import { lastToEnd, type Programmes } from "./rules/programmes.js";
import { createPlanService } from "./plans.js";
import type { ProcessDeps } from "./processStores.js";
import { createReportService } from "./reports.js";
import { createResultService } from "./results.js";
import { createRetentionService } from "./retention.js";
import { createStaffAccessService } from "./staffAccess.js";

/**
 * Every process service over its ports.
 * @example const process = createProcessService(deps, programmes, enrolmentService); process.submitPlan(staffActor, plan, now)
 */
export function createProcessService(deps: ProcessDeps, programmes: Programmes, enrolment: EnrolmentService) {
  const plans = createPlanService(deps, programmes);
  const staffAccess = createStaffAccessService(deps, enrolment);
  return {
    ...plans,
    ...createResultService(deps, programmes, plans.classOrThrow),
    ...createClaimService(deps, programmes, plans.classOrThrow),
    ...createReportService(deps, programmes, staffAccess, plans.classOrThrow),
    ...createRetentionService(deps, lastToEnd(programmes)),
    /** One-time staff invites, as in core/staffAccess.ts. @example createInvite(bureau, { role: "school_staff", schoolId }, now, 72 * 3_600_000) */
    createInvite: staffAccess.createInvite,
    /** @example redeemInvite("7KQ2-M9XD-4TPA", personId, now) */
    redeemInvite: staffAccess.redeemInvite,
  };
}

/** The process service's methods. */
export type ProcessService = ReturnType<typeof createProcessService>;
