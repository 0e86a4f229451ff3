// The schools of the programme and who may act for them: a staff role at a school or as a bureau operator, and
// the single-use invite codes that grant one. Kept apart from the people tables because a role is granted and
// revoked on its own terms (an invite, an operator's command) while the person behind it stays the same.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { instant, oneOf } from "./columns.js";
import { people } from "./people.js";
import { staffRoles } from "./vocabularies.js";

/** A training school (§2), keyed by the policy pack's school code. Example: `db.insert(schools).values({ id: "JYPC", nameZh: "江阴职业技术学院", nameEn: "Jiangyin Polytechnic College", packId })`. */
export const schools = sqliteTable("schools", {
  id: text("id").primaryKey(),
  nameZh: text("name_zh").notNull(),
  nameEn: text("name_en").notNull(),
  packId: text("pack_id").notNull(),
});

/** A person's staff role at a school, or as a bureau operator (no school). Example: `db.select().from(staff).where(and(eq(staff.personId, id), isNull(staff.revokedAt)))`. */
export const staff = sqliteTable(
  "staff",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    schoolId: text("school_id").references(() => schools.id),
    role: text("role", { enum: staffRoles }).notNull(),
    invitedBy: text("invited_by").notNull(),
    createdAt: instant("created_at").notNull(),
    revokedAt: instant("revoked_at"),
  },
  (t) => [
    index("staff_person_id_idx").on(t.personId),
    check("staff_role_check", oneOf(t.role, staffRoles)),
    // School staff belong to a school; bureau operators to none.
    check(
      "staff_school_for_role_check",
      sql`(${t.role} = 'school_staff') = (${t.schoolId} is not null)`,
    ),
  ],
);

/** A single-use invite that grants a staff role; only a hash of the code is kept. Example: `db.select().from(inviteCodes).where(eq(inviteCodes.codeHash, hash))`. */
export const inviteCodes = sqliteTable(
  "invite_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    codeHash: text("code_hash").notNull().unique(),
    schoolId: text("school_id").references(() => schools.id),
    role: text("role", { enum: staffRoles }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    usedAt: instant("used_at"),
    usedByPersonId: integer("used_by_person_id").references(() => people.id),
  },
  (t) => [
    check("invite_codes_role_check", oneOf(t.role, staffRoles)),
    check(
      "invite_codes_school_for_role_check",
      sql`(${t.role} = 'school_staff') = (${t.schoolId} is not null)`,
    ),
  ],
);
