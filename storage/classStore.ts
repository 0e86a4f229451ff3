// The classes as the enrolment side reads them (core's ClassStore): a class with its school's names, by id or
// public code, the classes a person may pick from with their seat counts, and how many each school has open.
// Read on most enrolment messages: plain prepared statements, rows mapped field by field.
import { eq } from "drizzle-orm";
import type Database from "better-sqlite3";
import type { ClassQuery, ClassRecord, ClassStore, SeatCounts } from "../core/stores.js";
import type { Db } from "./db.js";
import { classes, schools } from "./schema.js";

/** The columns of a class as services read it, with its school's names; extended by the process repositories. */
export const classColumns = {
  id: classes.id,
  code: classes.code,
  name: classes.name,
  schoolId: classes.schoolId,
  schoolNameZh: schools.nameZh,
  schoolNameEn: schools.nameEn,
  programme: classes.programme,
  occupation: classes.occupation,
  track: classes.track,
  level: classes.level,
  opensOn: classes.opensOn,
  closesOn: classes.closesOn,
  location: classes.location,
  capacity: classes.capacity,
  overCapReason: classes.overCapReason,
};

/** A row of `classColumns`. */
type ClassRow = { schoolNameZh: string; schoolNameEn: string } & Omit<ClassRecord, "schoolName">;
/** A class query as SQL parameters: every key present, NULL where the query has none. */
type ClassQueryParams = { [K in keyof ClassQuery]-?: Exclude<ClassQuery[K], undefined> | null };
const queryParams = (q: ClassQuery): ClassQueryParams => ({
  opensAfter: q.opensAfter,
  opensFrom: q.opensFrom,
  closesBy: q.closesBy,
  schoolId: q.schoolId ?? null,
  occupation: q.occupation ?? null,
  level: q.level ?? null,
  track: q.track ?? null,
  programme: q.programme ?? null,
});

// Field by field: an object rest (`{ a, ...rest }`) is a slow path in V8, and classes are read on most
// enrolment messages.
function toClass(row: ClassRow): ClassRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    schoolId: row.schoolId,
    schoolName: { zh: row.schoolNameZh, en: row.schoolNameEn },
    programme: row.programme,
    occupation: row.occupation,
    track: row.track,
    level: row.level,
    opensOn: row.opensOn,
    closesOn: row.closesOn,
    location: row.location,
    capacity: row.capacity,
    overCapReason: row.overCapReason,
  };
}

/** Classes with their schools and seat counts. @example createClassStore(db, sqlite).byCode("K7Q2") */
export function createClassStore(db: Db, sqlite: Database.Database): ClassStore {
  const base = () => db.select(classColumns).from(classes).innerJoin(schools, eq(schools.id, classes.schoolId));
  // Two range counts on the (class, status, id) index.
  const counts = sqlite.prepare<[number, number], SeatCounts>(
    `select (select count(*) from enrolments where class_id = ? and status = 'confirmed') as confirmed,
            (select count(*) from enrolments where class_id = ? and status = 'waitlisted') as waitlisted`,
  );
  // Most chat messages about enrolling read classes: plain SQL, prepared once, rows named as `classColumns`
  // (Drizzle's row mapping cost more than the query). Schools first, so that each school's classes are
  // found by the (school_id, opens_on) index rather than by reading every class ever held. An absent
  // filter is a NULL that matches every row. Seats are counted only for lists: counting a class's
  // enrolments costs more than reading the class.
  const bounds = "c.opens_on > @opensAfter and c.opens_on >= @opensFrom and c.closes_on <= @closesBy";
  const filters = `(@schoolId is null or s.id = @schoolId) and (@occupation is null or c.occupation = @occupation)
    and (@level is null or c.level = @level) and (@track is null or c.track = @track) and (@programme is null or c.programme = @programme)`;
  const record = `c.id, c.code, c.name, c.school_id as schoolId, s.name_zh as schoolNameZh, s.name_en as schoolNameEn,
    c.programme, c.occupation, c.track, c.level, c.opens_on as opensOn, c.closes_on as closesOn, c.location, c.capacity,
    c.over_cap_reason as overCapReason`;
  const byId = sqlite.prepare<[number], ClassRow>(`select ${record} from classes c join schools s on s.id = c.school_id where c.id = ?`);
  const columns = `${record},
    (select count(*) from enrolments e where e.class_id = c.id and e.status = 'confirmed') as confirmed,
    (select count(*) from enrolments e where e.class_id = c.id and e.status = 'waitlisted') as waitlisted`;
  type Listed = ClassRow & SeatCounts;
  const list = sqlite.prepare<ClassQueryParams, Listed>(
    `select ${columns} from schools s cross join classes c on c.school_id = s.id where ${bounds} and ${filters} order by c.opens_on, c.id`,
  );
  const within = sqlite.prepare<Pick<ClassQueryParams, "opensAfter" | "opensFrom" | "closesBy"> & { classId: number }, ClassRow>(
    `select ${record} from classes c join schools s on s.id = c.school_id where c.id = @classId and ${bounds}`,
  );
  const perSchool = sqlite.prepare<ClassQueryParams, { schoolId: string; n: number }>(
    `select s.id as schoolId, count(*) as n from schools s cross join classes c on c.school_id = s.id where ${bounds} and ${filters} group by s.id`,
  );
  return {
    byId(id) {
      const row = byId.get(id);
      return row && toClass(row);
    },
    byCode(code) {
      const row = base().where(eq(classes.code, code)).get();
      return row && toClass(row);
    },
    list(q) {
      return list.all(queryParams(q)).map((row) => ({ record: toClass(row), counts: { confirmed: row.confirmed, waitlisted: row.waitlisted } }));
    },
    within(classId, d) {
      const row = within.get({ classId, opensAfter: d.opensAfter, opensFrom: d.opensFrom, closesBy: d.closesBy });
      return row && toClass(row);
    },
    countBySchool(q) {
      const counts: Record<string, number> = {};
      for (const row of perSchool.all(queryParams(q))) counts[row.schoolId] = row.n;
      return counts;
    },
    counts: (id) => counts.get(id, id)!,
  };
}

