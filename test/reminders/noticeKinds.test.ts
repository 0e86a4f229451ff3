// Each notice kind's "still true?" (core/noticeKinds.ts), on a state the test writes: what is dropped, why,
// and what is rewritten from the state of the sending moment. Then the loader of that state
// (storage/noticeState.ts) on a real database.
import { describe, expect, it } from "vitest";
import { noticeContext, reconsider, renderNotice } from "../../core/noticeKinds.js";
import { noticeSpecs } from "../../core/noticeKinds.js";
import { noticeKinds, type NoticeClass, type NoticeParams, type NoticeState } from "../../core/notice.js";
import { loadNoticeState } from "../../storage/noticeState.js";
import { outbox } from "../../storage/schema.js";
import { addClass, enrolNew, newResident, pack, personalFor, setup, TODAY } from "../enrolment/helpers.js";
import { NOW } from "../storage/fixtures.js";
import { createDispatcher } from "../../bot/dispatcher.js";
import { fakeClock } from "./helpers.js";

const cls: NoticeClass = {
  id: 7,
  code: "K7Q2",
  name: "电商1班",
  schoolId: "JYPC",
  occupation: "ecommerce_specialist",
  level: 4,
  opensOn: "2023-06-26",
  closesOn: "2023-07-26",
  location: null,
  filingStatus: "not_filed",
  capacity: 60,
  overCapReason: null,
  confirmed: 41,
  waitlisted: 0,
};

// A state where every notice below is still true; each case changes one thing.
function stateWith(over: Partial<NoticeState> = {}): NoticeState {
  return {
    forgotten: () => false,
    isStaff: () => true,
    cls: (id) => (id === 7 ? cls : undefined),
    enrolment: (id) => (id === 41 ? { personId: 3, classId: 7, status: "confirmed", waitlistPosition: null } : undefined),
    statusIn: () => "confirmed",
    plan: () => ({ status: "approved", reason: null }),
    claimOfClass: () => ({ materials: [], noticeStartsOn: "2023-08-01", noticeEndsOn: "2023-08-07", objection: null, approved: true, paidAmountYuan: 30000 }),
    certificate: () => ({ passed: true, level: 4, certificateNo: "S1" }),
    keyGroup: () => ({ keyGroup: 1, total: 20 }),
    activity: () => ({ since: "2023-06-12 08:30", joined: 3, withdrew: 2, unreachable: {} }),
    ...over,
  };
}

const staffParams: NoticeParams = { schoolId: "JYPC", classId: 7, planId: 12 };
const residentParams: NoticeParams = { classId: 7, enrolmentId: 41 };
const check = (kind: string, state: NoticeState, today = "2023-06-13", params?: NoticeParams) =>
  reconsider({ kind, personId: 3, params: params ?? (noticeSpecs[kind as keyof typeof noticeSpecs]?.audience === "staff" ? staffParams : residentParams) }, state, noticeContext(pack, today));
const dropped = (v: ReturnType<typeof check>) => ("drop" in v ? v.drop : undefined);
const sent = (v: ReturnType<typeof check>) => ("send" in v ? v.send : undefined);

describe("still true when sent", () => {
  const cases: [kind: string, today: string, change: Partial<NoticeState>, reason: string][] = [
    ["filing_due", "2023-06-13", { cls: () => ({ ...cls, filingStatus: "submitted" }) }, "filed"],
    ["filing_due", "2023-06-19", {}, "deadline_passed"],
    ["filing_due_today", "2023-06-15", {}, "not_due"],
    ["filing_overdue", "2023-06-26", {}, "class_started"],
    ["filing_overdue", "2023-06-16", {}, "not_due"],
    ["class_opens_school", "2023-06-26", {}, "class_started"],
    ["class_opens_trainee", "2023-06-21", { statusIn: () => "withdrawn" }, "withdrawn"],
    ["class_opens_trainee", "2023-06-21", { cls: () => undefined }, "class_gone"],
    ["plan_approved", "2023-06-13", { plan: () => ({ status: "rejected", reason: "x" }) }, "plan_changed"],
    ["plan_rejected", "2023-06-13", {}, "plan_changed"],
    ["claim_notice_ended", "2023-08-08", { claimOfClass: () => ({ materials: [], noticeStartsOn: "2023-08-01", noticeEndsOn: "2023-08-07", objection: "异议", approved: false, paidAmountYuan: null }) }, "claim_changed"],
    ["claim_objection", "2023-08-08", {}, "claim_changed"],
    ["claim_paid", "2023-08-08", { claimOfClass: () => undefined }, "claim_changed"],
    ["claim_materials_missing", "2023-08-08", { claimOfClass: () => ({ materials: pack.claimMaterials.items.map((i) => i.code), noticeStartsOn: null, noticeEndsOn: null, objection: null, approved: false, paidAmountYuan: null }) }, "materials_complete"],
    ["key_group_share_low", "2023-06-13", { keyGroup: () => ({ keyGroup: 5, total: 20 }) }, "share_ok"],
    ["programme_ending", "2024-01-05", {}, "programme_ended"],
    ["certificate_passed", "2023-08-08", { certificate: () => ({ passed: false, level: 4, certificateNo: null }) }, "result_changed"],
    ["enrolment_promoted", "2023-06-13", { enrolment: () => ({ personId: 3, classId: 7, status: "withdrawn", waitlistPosition: null }) }, "withdrawn"],
    ["enrolment_waitlisted", "2023-06-13", {}, "status_changed"],
    // Still waiting before the opening day: the place has not lapsed (the class may yet promote them).
    ["enrolment_lapsed", "2023-06-25", { enrolment: () => ({ personId: 3, classId: 7, status: "waitlisted", waitlistPosition: 1 }) }, "status_changed"],
    ["enrolment_lapsed", "2023-06-26", { enrolment: () => ({ personId: 3, classId: 7, status: "confirmed", waitlistPosition: null }) }, "status_changed"],
    ["enrolment_lapsed", "2023-06-26", { enrolment: () => ({ personId: 3, classId: 7, status: "withdrawn", waitlistPosition: null }) }, "withdrawn"],
    ["enrolment_confirmed", "2023-06-13", { forgotten: () => true }, "forgotten"],
    ["class_enrolment_digest", "2023-06-13", { isStaff: () => false }, "staff_revoked"],
    ["class_enrolment_digest", "2023-06-13", { activity: () => ({ since: "2023-06-12 08:30", joined: 0, withdrew: 0, unreachable: {} }) }, "nothing_to_report"],
    ["school_enrolment", "2023-06-13", {}, "unknown_kind"],
  ];
  for (const [kind, today, change, reason] of cases)
    it(`${kind} on ${today} is dropped: ${reason}`, () => {
      expect(dropped(check(kind, stateWith(change), today))).toBe(reason);
    });

  it("every kind is sent unchanged in meaning when nothing changed", () => {
    const today: Record<string, string> = { filing_due_today: "2023-06-16", filing_overdue: "2023-06-19", claim_objection: "2023-08-08" };
    const objection = { claimOfClass: () => ({ materials: [], noticeStartsOn: "2023-08-01", noticeEndsOn: "2023-08-07", objection: "异议", approved: false, paidAmountYuan: null }) };
    for (const kind of noticeKinds) {
      const state = stateWith({
        ...(kind === "claim_objection" ? objection : {}),
        ...(kind === "plan_rejected" ? { plan: () => ({ status: "rejected", reason: "题库来源不明" }) } : {}),
        ...(kind === "enrolment_waitlisted" ? { enrolment: () => ({ personId: 3, classId: 7, status: "waitlisted" as const, waitlistPosition: 2 }) } : {}),
        ...(kind === "enrolment_withdrawn" ? { enrolment: () => ({ personId: 3, classId: 7, status: "withdrawn" as const, waitlistPosition: null }) } : {}),
        ...(kind === "enrolment_lapsed" ? { enrolment: () => ({ personId: 3, classId: 7, status: "lapsed" as const, waitlistPosition: null }) } : {}),
        ...(kind === "certificate_failed" ? { certificate: () => ({ passed: false, level: 4, certificateNo: null }) } : {}),
      });
      const params = kind === "class_enrolment_digest" ? { ...staffParams, since: "2023-06-12" } : undefined;
      expect(dropped(check(kind, state, today[kind] ?? "2023-06-13", params)), kind).toBeUndefined();
    }
  });

  it("says the programme's office in a notice queued before offices were parameters, and keeps one that was given", () => {
    const missing = sent(check("claim_materials_missing", stateWith({}), "2023-08-08", { ...staffParams, list: { zh: "教学视频", en: "videos" } }));
    expect(renderNotice({ kind: "claim_materials_missing", params: missing! }, "zh-CN")).toContain("向市商务局申报");
    const given = sent(check("claim_notice_ended", stateWith({}), "2023-08-08", { ...staffParams, paymentOffice: { zh: "某局", en: "a bureau" } }));
    expect(given).toMatchObject({ paymentOffice: { zh: "某局" } });
  });

  it("what changed is rewritten from the state: a moved class, the days left, a new waiting-list place, the counts", () => {
    const moved = sent(check("class_opens_trainee", stateWith({ cls: () => ({ ...cls, opensOn: "2023-06-27", location: "B楼201" }) }), "2023-06-21"));
    expect(moved).toMatchObject({ opensOn: "2023-06-27", weekday: { zh: "星期二", en: "Tuesday" }, location: "B楼201" });
    // Planned on 13 June with 3 working days left; sent on 14 June: 2 left.
    expect(sent(check("filing_due", stateWith(), "2023-06-14"))).toMatchObject({ deadline: "2023-06-16", daysLeft: 2 });
    const waiting = stateWith({ enrolment: () => ({ personId: 3, classId: 7, status: "waitlisted", waitlistPosition: 1 }) });
    expect(sent(check("enrolment_waitlisted", waiting, "2023-06-13", { ...residentParams, position: 3 }))).toMatchObject({ position: 1 });
    const digest = sent(check("class_enrolment_digest", stateWith({ activity: () => ({ since: "2023-06-09 08:30", joined: 3, withdrew: 2, unreachable: { class_opens_trainee: 1 } }) }), "2023-06-13", { ...staffParams, since: "2023-06-09" }));
    expect(digest).toMatchObject({ joined: 3, withdrew: 2, confirmed: 41, seats: 60, waitlist: 0, since: "2023-06-09 08:30", unreachable_class_opens_trainee: 1 });
    // A notice queued by a version before these checks (no ids) is sent as it was.
    expect(sent(check("class_opens_trainee", stateWith({ cls: () => undefined }), "2023-06-21", { className: "电商1班" }))).toEqual({ className: "电商1班" });
  });
});

describe("the state a batch is checked on", () => {
  it("reads a waiting list's order now, so a notice queued as number 2 says number 1 once the first went", async () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { capacity: 1 });
    enrolNew(services, classId, 1);
    const first = enrolNew(services, classId, 2);
    // An operator enrols someone on their behalf: that person did not see it, so it is pushed (number 2).
    const personId = newResident(services, 3);
    const second = services.enrol({ kind: "bureau_operator", operator: "cli" }, { personId, classId, personal: personalFor(3), rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW);
    const [row] = db.select().from(outbox).all();
    expect(row).toMatchObject({ kind: "enrolment_waitlisted", params: expect.objectContaining({ position: 2 }) });
    services.withdraw({ kind: "resident", personId: first.personId }, first.enrolmentId, TODAY, NOW);
    const state = loadNoticeState(db, [{ kind: row!.kind, personId: row!.personId, params: row!.params as NoticeParams }], NOW);
    expect(state.enrolment(second.enrolmentId)).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    expect(state.cls(classId)).toMatchObject({ confirmed: 1, waitlisted: 1 });
    const sentTexts: string[] = [];
    await createDispatcher({ db, pack, senders: { console: async (_id, t) => void sentTexts.push(t) }, clock: fakeClock("2023-07-01T09:00:00Z") }).drain(); // 17:00, after the rows were queued
    expect(sentTexts).toHaveLength(1);
    expect(sentTexts[0]).toContain("候补名单第1位");
  });
});
