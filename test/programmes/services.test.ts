// Several programmes on one database (issue 19, 2): plans, classes and claims carry their programme, and every
// rule about a class (its window, cap, eligibility, notices) is its own programme's, never "the" pack's.
// Rows written before programmes get the one pack's id at the first start; with several packs loaded and
// such rows, the start is refused with what to do.
import { describe, expect, it } from "vitest";
import { programmeSet } from "../../core/rules/programmes.js";
import { createVault } from "../../storage/crypto.js";
import { UnassignedRowsError } from "../../storage/programmeRows.js";
import { createServices } from "../../storage/services.js";
import { KEY_HEX, personalFor } from "../enrolment/helpers.js";
import { bureau, planInput, setup, staffOf, openClass } from "../process/helpers.js";
import { freshDatabase, NOW } from "../storage/fixtures.js";
import { elderlyCare, jiangyin, madeUpCity } from "../support/packs.js";

const BINJIANG_TODAY = "2025-11-10";
const BINJIANG_SCHOOL = "binjiang_health_college";

function twoProgrammes() {
  const opened = freshDatabase();
  const services = createServices({ ...opened, vault: createVault(Buffer.from(KEY_HEX, "hex")), programmes: programmeSet([jiangyin, elderlyCare]), clock: { now: () => NOW } });
  services.syncSchools();
  return { ...opened, services, p: services.process };
}

const elderlyPlan = (over = {}) =>
  planInput(BINJIANG_SCHOOL, {
    programme: elderlyCare.id,
    occupation: "elderly_carer",
    track: "first_employment",
    level: 5,
    traineesPlanned: 40,
    startsOn: "2025-11-20",
    endsOn: "2026-01-20",
    teachers: "李老师：养老护理员一级（高级技师）",
    ...over,
  });

describe("two programmes on one database", () => {
  it("a plan names its programme when several are loaded; its class follows that programme's rules", () => {
    const { services, p } = twoProgrammes();
    const staff = staffOf(services, BINJIANG_SCHOOL);
    // Without a programme the plan cannot be placed: the ids are listed.
    const { programme: _, ...unnamed } = elderlyPlan();
    expect(() => p.submitPlan(staff, unnamed, BINJIANG_TODAY, NOW)).toThrow(/programme_needed.*binjiang-2025-elderly-care/);
    const { planId } = p.submitPlan(staff, elderlyPlan(), BINJIANG_TODAY, NOW);
    expect(p.getPlan(bureau, planId, NOW).programme).toBe(elderlyCare.id);
    p.approvePlan(bureau, planId, NOW);
    // Binjiang's cap is 45 and strict: 50 places are refused even with a reason (Jiangyin's 60 would allow it).
    expect(() => p.openClass(staff, { planId, name: "养老护理员五级1班", opensOn: "2025-12-01", closesOn: "2026-01-10", capacity: 50, overCapReason: "场地够大" }, BINJIANG_TODAY, NOW)).toThrow(/check_failed/);
    const opened = p.openClass(staff, { planId, name: "养老护理员五级1班", opensOn: "2025-12-01", closesOn: "2026-01-10", capacity: 45 }, BINJIANG_TODAY, NOW);
    const cls = p.getClass(bureau, opened.classId, NOW);
    expect(cls.programme).toBe(elderlyCare.id);
    // Binjiang files 7 working days ahead: 2025-12-01 (Mon) → 2025-11-20 (Thu); Jiangyin's 5 would give 11-24.
    expect(cls.filingDeadline).toBe("2025-11-20");
    expect(p.listClasses(bureau, { programme: jiangyin.id }, NOW)).toEqual([]);
    expect(p.listClasses(bureau, { programme: elderlyCare.id }, NOW).map((c) => c.code)).toEqual([cls.code]);
  });

  it("enrols by the class's programme: its key groups, its window; the classes list holds each programme's open classes", () => {
    const { services, p } = twoProgrammes();
    const staff = staffOf(services, BINJIANG_SCHOOL);
    const { planId } = p.submitPlan(staff, elderlyPlan(), BINJIANG_TODAY, NOW);
    p.approvePlan(bureau, planId, NOW);
    const { classId } = p.openClass(staff, { planId, name: "养老护理员五级1班", opensOn: "2025-12-01", closesOn: "2026-01-10", capacity: 45 }, BINJIANG_TODAY, NOW);
    expect(services.listOpenClasses(BINJIANG_TODAY).map((c) => c.id)).toEqual([classId]);
    // After the class opened, nothing is left to join.
    expect(services.listOpenClasses("2025-12-01")).toEqual([]);
    const { personId } = services.identify("console", "carer", NOW);
    // A Binjiang key group (registered unemployed, seeking elderly-care work); Jiangyin's would be unknown there.
    services.saveFacts({ kind: "resident", personId }, personId, { ableToWork: true, healthy: true, sector: "seeking", keyGroups: ["registered_unemployed"] });
    const r = services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(77), rightsConsentAt: NOW, privacyConsentAt: NOW }, BINJIANG_TODAY, NOW);
    expect(r.status).toBe("confirmed");
    // The report is one programme's: Jiangyin's has no enrolment, Binjiang's has this one.
    expect(p.reportSheets(bureau, NOW, "en", jiangyin.id)[1]!.rows).toEqual([]);
    expect(p.reportSheets(bureau, NOW, "en", elderlyCare.id)[1]!.rows).toHaveLength(1);
    expect(() => p.reportSheets(bureau, NOW, "en")).toThrow(/programme_needed/);
  });
});

describe("rows written before programmes", () => {
  it("get the one pack's id at the first start; with several packs loaded the start is refused saying what to do", () => {
    const { services, sqlite, db, vault } = setup();
    const staff = staffOf(services, "jiangyin_polytechnic");
    const { classId } = openClass(services, staff);
    // As a database written by the code before programmes: the migration leaves '' in these rows.
    sqlite.exec("update training_plans set programme = ''; update classes set programme = ''");
    expect(() => createServices({ db, sqlite, vault, programmes: programmeSet([jiangyin, elderlyCare]), clock: { now: () => NOW } })).toThrow(UnassignedRowsError);
    expect(() => createServices({ db, sqlite, vault, programmes: programmeSet([jiangyin, elderlyCare]), clock: { now: () => NOW } })).toThrow(
      /1 training_plans, 1 classes written before programmes.*start the bot once with only the pack they were written under/,
    );
    const again = createServices({ db, sqlite, vault, pack: jiangyin, clock: { now: () => NOW } });
    expect(again.process.getClass(bureau, classId, NOW).programme).toBe(jiangyin.id);
    expect(sqlite.prepare("select count(*) as n from training_plans where programme = ''").get()).toEqual({ n: 0 });
    // Now both packs start on it.
    expect(() => createServices({ db, sqlite, vault, programmes: programmeSet([jiangyin, elderlyCare]), clock: { now: () => NOW } })).not.toThrow();
  });
});

describe("the demo seed over a database made for another set of programmes", () => {
  it("gives each programme demo classes of its own when the first codes are taken", () => {
    const opened = freshDatabase();
    const seed = { today: "2025-12-01", now: NOW };
    const vault = createVault(Buffer.from(KEY_HEX, "hex"));
    // `npm start` first (Jiangyin takes DEMO1…), then `npm start -- --packs` with Binjiang and Lakeside.
    const first = createServices({ ...opened, vault, programmes: programmeSet([jiangyin]), clock: { now: () => NOW } }).seedDemo(seed);
    const later = createServices({ ...opened, vault, programmes: programmeSet([elderlyCare, madeUpCity]), clock: { now: () => NOW } });
    const codes = later.seedDemo(seed).map((c) => c.code);
    expect(first.map((c) => c.code)).toEqual(["DEMO1", "DEMO2", "DEMO3"]);
    expect(codes).toEqual(["DEMB1", "DEMB2", "DEMB3", "DEMC1"]);
    // A second start finds them again.
    expect(later.seedDemo(seed).map((c) => c.code)).toEqual(codes);
  });
});
