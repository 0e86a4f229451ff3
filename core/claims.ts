// Subsidy claims (§2.4-paid, §2.5.4). The school claims for a finished class: the materials ticked against the
// pack's list, the teaching videos' minutes (checkClaim), and the amount = Σ certified trainees × their
// level's amount from the pack (a ceiling on the first-employment track). A claim that fails the check is
// kept as a draft and held back with the reasons. The bureau then starts the public notice (its end from
// publicNoticeEnd), records an objection, or clears it after the end (approved for payment), and records
// the payment. The school's staff hear of each step under the planner's keys.
import { z } from "zod";
import { checkClaim, publicNoticeEnd, type Problem } from "./rules/checks.js";
import { CalendarYearUnknown, tryCalendar } from "./rules/calendar.js";
import { DomainError, parseInput } from "./errors.js";
import { isoDate, subsidyTable, type Lang, type PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { idOf, schoolNotices } from "./processCommon.js";
import type { ClaimRecord, ProcessClassRecord, ProcessDeps, StoredCertificate } from "./processStores.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import { translator } from "./i18n.js";
import { packWordBoth } from "./rules/packWords.js";

/** Where a claim stands; follows from its dates. @example claimState(claim) // "on_notice" */
export type ClaimState = "draft" | "submitted" | "on_notice" | "objected" | "approved" | "paid";

/**
 * A claim's state from what was recorded on it.
 * @example claimState({ submittedAt: now, noticeStartsOn: "2023-09-01", objection: null, approvedAt: null, paidAt: null }) // "on_notice"
 */
export function claimState(c: Pick<ClaimRecord, "submittedAt" | "noticeStartsOn" | "objection" | "approvedAt" | "paidAt">): ClaimState {
  if (c.paidAt) return "paid";
  if (c.approvedAt) return "approved";
  if (c.objection) return "objected";
  if (c.noticeStartsOn) return "on_notice";
  return c.submittedAt ? "submitted" : "draft";
}

/** One line of a claim's amount: trainees certified at a level, and what each brings. */
export interface AmountLine {
  level: number;
  certified: number;
  perTraineeYuan: number;
  subtotalYuan: number;
}

/**
 * §2.4-paid The amount a class may claim: each certified trainee at their certificate's level, from the
 * amounts of the class's track and occupation (a track borrowing another's amounts borrows its ceiling flag too).
 * @example claimAmount([{ passed: true, level: 4 }, { passed: false, level: 4 }], "upskilling", pack, "ecommerce_specialist") // { certified: 1, amountYuan: 1500, ceiling: false, lines: [...] }
 */
export function claimAmount(
  certs: Pick<StoredCertificate, "passed" | "level">[],
  track: string,
  pack: PolicyPack,
  occupation?: string,
): { certified: number; amountYuan: number; ceiling: boolean; lines: AmountLine[] } {
  const own = pack.tracks.find((t) => t.code === track);
  const source = own?.subsidyFrom ? pack.tracks.find((t) => t.code === own.subsidyFrom) : own;
  const table = own ? subsidyTable(pack, own.code, occupation) : [];
  const lines = new Map<number, AmountLine>();
  for (const c of certs) {
    if (!c.passed) continue;
    const perTraineeYuan = table.find((l) => l.level === c.level)?.subsidyYuan ?? 0;
    const line = lines.get(c.level) ?? { level: c.level, certified: 0, perTraineeYuan, subtotalYuan: 0 };
    line.certified++;
    line.subtotalYuan += perTraineeYuan;
    lines.set(c.level, line);
  }
  const list = [...lines.values()].sort((a, b) => b.level - a.level);
  return {
    certified: list.reduce((n, l) => n + l.certified, 0),
    amountYuan: list.reduce((n, l) => n + l.subtotalYuan, 0),
    ceiling: Boolean(own?.subsidyIsCeiling ?? source?.subsidyIsCeiling),
    lines: list,
  };
}

/** What `submitClaim` answers: submitted, or held back as a draft with the reasons. */
export interface ClaimResult {
  claimId: number;
  state: ClaimState;
  submitted: boolean;
  problems: Pick<Problem, "code" | "clause" | "text">[];
  certified: number;
  amountYuan: number;
  /** True when the amount is the most the track allows (§2.4-first "不超过"), not a fixed rate. */
  ceiling: boolean;
  lines: AmountLine[];
}

/** A claim as listed: the record, its state and its class. */
export type ClaimView = ClaimRecord & { state: ClaimState; schoolId: string; classCode: string };

/**
 * The claim service over the process ports.
 * Every rule is that of the claim's class's programme.
 * @example const claims = createClaimService(deps, programmes, plans.classOrThrow)
 */
export function createClaimService(deps: ProcessDeps, programmes: Programmes, classOrThrow: (classId: number) => ProcessClassRecord) {
  const { tx, claims, results, staff, outbox, audit } = deps;
  // As checkClaim's input, but the ticked materials are always given (none ticked is []); they are codes of
  // the class's programme's list, checked once the class is known.
  const claimInput = z.strictObject({
    classId: z.number().int().positive(),
    videosMinutes: z.array(z.number().min(0).max(24 * 60)).max(200),
    materials: z.array(z.string()),
  });
  /** The class's programme, with the ticked materials checked against its list. */
  function packWithMaterials(cls: ProcessClassRecord, materials: string[]): PolicyPack {
    const pack = programmes.of(cls.programme);
    const codes = pack.claimMaterials.items.map((i) => i.code) as [string, ...string[]];
    parseInput(z.strictObject({ materials: z.array(z.enum(codes)) }), { materials });
    return pack;
  }

  function claimOrThrow(claimId: number): ClaimRecord {
    const c = claims.get(claimId);
    if (!c) throw new DomainError("not_found", { what: "claim", id: claimId }, "list claims with listClaims");
    return c;
  }
  function view(c: ClaimRecord, cls: ProcessClassRecord): ClaimView {
    return { ...c, state: claimState(c), schoolId: cls.schoolId, classCode: cls.code };
  }
  function wrongState(c: ClaimRecord, needed: string): DomainError {
    return new DomainError("wrong_state", { what: "claim", id: c.id, state: claimState(c), needed }, `the claim is ${claimState(c)}`);
  }
  function params(cls: ProcessClassRecord) {
    return { classId: cls.id, className: cls.name, classCode: cls.code };
  }
  // Reviews touch the claim's class's school; the bureau may, a school may not (claim.review is not theirs).
  function reviewGuard(actor: Actor, claimId: number, now: Date): { claim: ClaimRecord; cls: ProcessClassRecord; pack: PolicyPack } {
    const claim = claimOrThrow(idOf(claimId, "claimId"));
    const cls = classOrThrow(claim.classId);
    authorizeAudited(audit, actor, "claim.review", { schoolId: cls.schoolId }, { entity: "subsidy_claim", entityId: String(claimId) }, now);
    return { claim, cls, pack: programmes.of(cls.programme) };
  }

  /**
   * The amount and the check of a class's claim without saving anything, for a menu to show first.
   * @example previewClaim(staffActor, { classId: 9, materials: [...], videosMinutes: [50, 48, 46] }, now).amountYuan // 30000
   */
  function previewClaim(actor: Actor, raw: { classId: number; materials: string[]; videosMinutes: number[] }, now: Date, lang: Lang = "zh-CN") {
    const input = parseInput(claimInput, raw);
    const cls = classOrThrow(input.classId);
    authorizeAudited(audit, actor, "claim.read", { schoolId: cls.schoolId }, { entity: "class", entityId: String(cls.id) }, now);
    const pack = packWithMaterials(cls, input.materials);
    const amount = claimAmount(results.ofClass(cls.id), cls.track, pack, cls.occupation);
    const check = checkClaim({ videosMinutes: input.videosMinutes, materials: input.materials }, pack, lang, translator(lang));
    return { ...amount, problems: check.problems.map(({ code, clause, text }) => ({ code, clause, text })) };
  }

  /**
   * §2.5.4 The school's claim for a finished class with certified trainees. Passing the check submits it to
   * the bureau; failing it keeps it as a draft (the planner's materials reminder reads the ticked materials)
   * and answers `submitted: false` with the reasons. A submitted claim cannot be changed.
   * @example submitClaim(staffActor, { classId: 9, materials: allCodes, videosMinutes: [44, 45, 45] }, "2023-09-01", now)
   * // { submitted: false, state: "draft", problems: [{ code: "videos_too_short", … }], amountYuan: 30000, … }
   */
  function submitClaim(actor: Actor, raw: { classId: number; materials: string[]; videosMinutes: number[] }, today: string, now: Date, lang: Lang = "zh-CN"): ClaimResult {
    const input = parseInput(claimInput, raw);
    parseInput(isoDate, today);
    const cls = classOrThrow(input.classId);
    authorizeAudited(audit, actor, "claim.submit", { schoolId: cls.schoolId }, { entity: "class", entityId: String(cls.id) }, now);
    const pack = packWithMaterials(cls, input.materials);
    if (today < cls.closesOn)
      throw new DomainError("wrong_state", { what: "class", id: cls.code, state: "running_until", until: cls.closesOn, needed: "finished" }, "a claim follows the training");
    return tx.run(() => {
      const before = claims.byClass(cls.id);
      if (before && before.submittedAt) throw wrongState(before, "draft");
      const amount = claimAmount(results.ofClass(cls.id), cls.track, pack, cls.occupation);
      if (amount.certified === 0)
        throw new DomainError("check_failed", { reasons: translator(lang)("staff.problem.no_certified", { code: cls.code }), fields: "classId" }, "import the class's results first");
      const materials = [...new Set(input.materials)];
      const check = checkClaim({ videosMinutes: input.videosMinutes, materials }, pack, lang, translator(lang));
      const submitted = check.ok;
      const claimId = claims.save({ classId: cls.id, programme: cls.programme, materials, videoMinutes: input.videosMinutes, certifiedCount: amount.certified, amountYuan: amount.amountYuan, submittedAt: submitted ? now : null }, now);
      audit.record({
        actor: actorLabel(actor),
        action: submitted ? "claim.submit" : "claim.held",
        entity: "subsidy_claim",
        entityId: String(claimId),
        detail: { classId: cls.id, certified: amount.certified, amountYuan: amount.amountYuan, problems: check.problems.map((p) => p.code) },
        at: now,
      });
      return { claimId, state: submitted ? "submitted" : "draft", submitted, problems: check.problems.map(({ code, clause, text }) => ({ code, clause, text })), ...amount };
    });
  }

  /**
   * Claims with their state: a school's staff see theirs, the bureau all.
   * @example listClaims(bureau, {}, now).filter((c) => c.state === "submitted")
   */
  function listClaims(actor: Actor, filter: { schoolId?: string; programme?: string } = {}, now: Date): ClaimView[] {
    const schoolId = filter.schoolId ?? (actor.kind === "school_staff" ? actor.schoolId : undefined);
    authorizeAudited(audit, actor, "claim.read", schoolId ? { schoolId } : {}, { entity: "school", entityId: schoolId ?? "*" }, now);
    return claims
      .list({ schoolId })
      .filter((c) => filter.programme === undefined || c.programme === filter.programme)
      .map((c) => ({ ...c, state: claimState(c) }));
  }

  /**
   * One claim, for its school's staff or the bureau.
   * @example getClaim(staffActor, 3, now).state // "on_notice"
   */
  function getClaim(actor: Actor, claimId: number, now: Date): ClaimView {
    const claim = claimOrThrow(claimId);
    const cls = classOrThrow(claim.classId);
    authorizeAudited(audit, actor, "claim.read", { schoolId: cls.schoolId }, { entity: "subsidy_claim", entityId: String(claimId) }, now);
    return view(claim, cls);
  }

  /**
   * §2.5.4 The HR bureau puts a submitted claim on public notice from `startsOn`; the end follows the pack's reading.
   * @example startNotice(bureau, 3, "2023-09-04", now) // { claimId: 3, state: "on_notice", starts: "2023-09-04", ends: "2023-09-08" }
   */
  function startNotice(actor: Actor, claimId: number, startsOn: string, now: Date) {
    const starts = parseInput(isoDate, startsOn) as string;
    const { cls, pack } = reviewGuard(actor, claimId, now);
    return tx.run(() => {
      const claim = claimOrThrow(claimId);
      if (claimState(claim) !== "submitted") throw wrongState(claim, "submitted");
      const end = tryCalendar(() => publicNoticeEnd(starts, pack));
      if (end instanceof CalendarYearUnknown) throw new DomainError("calendar_unknown", { year: end.year }, `publicNotice counts ${pack.publicNotice.unit} days: add calendar.${end.year} to the pack`);
      const { ends } = end;
      claims.update(claimId, { noticeStartsOn: starts, noticeEndsOn: ends });
      outbox.enqueue(schoolNotices(staff, pack, cls.schoolId, `claim:${claimId}:notice-started`, "claim_notice_started", { ...params(cls), starts, ends }, pack.publicNotice.clause), now);
      audit.record({ actor: actorLabel(actor), action: "claim.notice_start", entity: "subsidy_claim", entityId: String(claimId), detail: { starts, ends }, at: now });
      return { claimId, state: "on_notice" as const, starts, ends };
    });
  }

  /**
   * §2.5.4 An objection raised during the notice: the claim stops here (no payment) until the bureaus decide.
   * @example recordObjection(bureau, 3, "学员反映未参加培训", now) // { claimId: 3, state: "objected" }
   */
  function recordObjection(actor: Actor, claimId: number, reason: string, now: Date) {
    const r = parseInput(z.strictObject({ reason: z.string().trim().min(1).max(1000) }), { reason });
    const { cls, pack } = reviewGuard(actor, claimId, now);
    return tx.run(() => {
      const claim = claimOrThrow(claimId);
      if (claimState(claim) !== "on_notice") throw wrongState(claim, "on_notice");
      claims.update(claimId, { objection: r.reason, objectionAt: now });
      outbox.enqueue(schoolNotices(staff, pack, cls.schoolId, `claim:${claimId}:objection`, "claim_objection", { ...params(cls), objection: r.reason }, pack.publicNotice.clause), now);
      audit.record({ actor: actorLabel(actor), action: "claim.objection", entity: "subsidy_claim", entityId: String(claimId), detail: { reason: r.reason }, at: now });
      return { claimId, state: "objected" as const };
    });
  }

  /**
   * §2.5.4 No objection by the notice's end: approved for payment. Only after the last day of the notice.
   * @example clearNotice(bureau, 3, "2023-09-09", now) // { claimId: 3, state: "approved", ended: "2023-09-08" }
   */
  function clearNotice(actor: Actor, claimId: number, today: string, now: Date) {
    parseInput(isoDate, today);
    const { cls, pack } = reviewGuard(actor, claimId, now);
    return tx.run(() => {
      const claim = claimOrThrow(claimId);
      if (claimState(claim) !== "on_notice") throw wrongState(claim, "on_notice");
      if (today <= claim.noticeEndsOn!)
        throw new DomainError("wrong_state", { what: "claim", id: claimId, state: "on_notice_until", until: claim.noticeEndsOn!, needed: "notice_ended" }, "clear it after the notice's last day");
      claims.update(claimId, { approvedAt: now });
      outbox.enqueue(schoolNotices(staff, pack, cls.schoolId, `claim:${claimId}:notice-ended`, "claim_notice_ended", { ...params(cls), ends: claim.noticeEndsOn!, paymentOffice: packWordBoth(pack, "paymentOffice") }, pack.publicNotice.clause), now);
      audit.record({ actor: actorLabel(actor), action: "claim.approve", entity: "subsidy_claim", entityId: String(claimId), detail: { noticeEnded: claim.noticeEndsOn }, at: now });
      return { claimId, state: "approved" as const, ended: claim.noticeEndsOn! };
    });
  }

  /**
   * §2.4-paid The Finance Bureau's payment of an approved claim: no more than the amount claimed.
   * @example recordPayment(bureau, 3, 30000, now) // { claimId: 3, state: "paid", amountYuan: 30000 }
   */
  function recordPayment(actor: Actor, claimId: number, amountYuan: number, now: Date) {
    const a = parseInput(z.strictObject({ amount: z.number().int().positive() }), { amount: amountYuan });
    const { cls, pack } = reviewGuard(actor, claimId, now);
    return tx.run(() => {
      const claim = claimOrThrow(claimId);
      if (claimState(claim) !== "approved") throw wrongState(claim, "approved");
      if (a.amount > claim.amountYuan)
        throw new DomainError("invalid_input", { field: "amount" }, `the payment ${a.amount} exceeds the claimed ${claim.amountYuan} yuan`);
      claims.update(claimId, { paidAt: now, paidAmountYuan: a.amount });
      outbox.enqueue(schoolNotices(staff, pack, cls.schoolId, `claim:${claimId}:paid`, "claim_paid", { ...params(cls), amount: a.amount }, pack.subsidyPaidTo.clause), now);
      audit.record({ actor: actorLabel(actor), action: "claim.paid", entity: "subsidy_claim", entityId: String(claimId), detail: { amountYuan: a.amount, claimedYuan: claim.amountYuan }, at: now });
      return { claimId, state: "paid" as const, amountYuan: a.amount };
    });
  }

  return { previewClaim, submitClaim, listClaims, getClaim, startNotice, recordObjection, clearNotice, recordPayment, claimOrThrow };
}

/** The claim service's methods. */
export type ClaimService = ReturnType<typeof createClaimService>;
