// Shared set-up for the storage tests: a real database file in a fresh temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { openDatabase, type Db, type OpenDatabase } from "../../storage/db.js";
import { classes, enrolments, people, schools, trainingPlans } from "../../storage/schema.js";

/** A fixed instant, so rows are reproducible. Example: `createdAt: NOW`. */
export const NOW = new Date("2023-07-01T08:00:00Z");

/** A temp folder removed when the calling test finishes. Example: `const dir = tempDir()`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "storage-test-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a fresh database file in a temp folder, closed after the test. Example: `const { db } = freshDatabase()`. */
export function freshDatabase(): OpenDatabase & { path: string } {
  const path = join(tempDir(), "bot.db");
  const opened = openDatabase({ path });
  onTestFinished(() => {
    if (opened.sqlite.open) opened.close();
  });
  return { ...opened, path };
}

/** Inserts a person with no personal data. Example: `const personId = addPerson(db)`. */
export function addPerson(db: Db): number {
  return db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).returning({ id: people.id }).get().id;
}

/** Inserts a school, an approved plan and a class of it. Example: `const { classId } = addClass(db, "JYPC", "K1")`. */
export function addClass(db: Db, schoolId: string, code: string): { classId: number; planId: number } {
  const creator = addPerson(db);
  db.insert(schools)
    .values({ id: schoolId, nameZh: "江阴职业技术学院", nameEn: "Jiangyin Polytechnic College", packId: "jiangyin-2023" })
    .onConflictDoNothing()
    .run();
  const planId = db
    .insert(trainingPlans)
    .values({
      schoolId,
      programme: "jiangyin-2023-ecommerce",
      occupation: "ecommerce_specialist",
      track: "upskilling",
      level: 4,
      traineesPlanned: 40,
      startsOn: "2023-07-10",
      endsOn: "2023-08-10",
      totalHours: 120,
      practicalHours: 80,
      teachingPlan: "plan",
      teachers: "王老师",
      businessStandard: "standard",
      assessmentPlan: "assessment",
      questionBank: "bank",
      questionBankSource: "national",
      costEstimateYuan: 60000,
      status: "approved",
      createdByPersonId: creator,
      createdAt: NOW,
    })
    .returning({ id: trainingPlans.id })
    .get().id;
  const classId = db
    .insert(classes)
    .values({
      code,
      schoolId,
      programme: "jiangyin-2023-ecommerce",
      planId,
      name: "电子商务师四级 1班",
      occupation: "ecommerce_specialist",
      track: "upskilling",
      level: 4,
      opensOn: "2023-07-10",
      closesOn: "2023-08-10",
      capacity: 60,
      createdAt: NOW,
    })
    .returning({ id: classes.id })
    .get().id;
  return { classId, planId };
}

/** Inserts an enrolment of the person in the class. Example: `addEnrolment(db, personId, classId, "withdrawn")`. */
export function addEnrolment(
  db: Db,
  personId: number,
  classId: number,
  status: (typeof enrolments.$inferInsert)["status"],
): number {
  return db
    .insert(enrolments)
    .values({
      personId,
      classId,
      status,
      occupation: "ecommerce_specialist",
      level: 4,
      route: "employee",
      keyGroup: false,
      facts: { insured: true },
      decision: { eligible: true },
      packVersion: "2023.1",
      createdAt: NOW,
      updatedAt: NOW,
    })
    .returning({ id: enrolments.id })
    .get().id;
}
