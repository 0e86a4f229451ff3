// Storage of /link: the one-time codes (keyed hashes only) and the moves a link makes. No decisions
// here: core/linking.ts decides who is kept; these read and write rows inside its transaction.
import { createHmac, hkdfSync, randomInt } from "node:crypto";
import { and, count, eq, gt, lte, or, sql } from "drizzle-orm";
import type { LinkCodeMaker, LinkStore } from "../core/linking.js";
import type { Db } from "./db.js";
import { auditLog, certificates, chatIdentities, enrolments, linkCodes, outbox, people, staff } from "./schema.js";

/**
 * The link-code store over one database.
 * @example const links = createLinkStore(db); links.activeCode(hash, now)?.personId
 */
export function createLinkStore(db: Db): LinkStore {
  const countOf = (rows: { n: number }[]) => rows[0]?.n ?? 0;
  return {
    purgeCodes(personId, now) {
      db.delete(linkCodes)
        .where(or(eq(linkCodes.personId, personId), lte(linkCodes.expiresAt, now)))
        .run();
    },
    insertCode(row, now) {
      db.insert(linkCodes).values({ ...row, createdAt: now }).run();
    },
    activeCode(codeHash, now) {
      return db
        .select({ id: linkCodes.id, personId: linkCodes.personId, identityId: linkCodes.identityId, expiresAt: linkCodes.expiresAt })
        .from(linkCodes)
        .where(and(eq(linkCodes.codeHash, codeHash), gt(linkCodes.expiresAt, now)))
        .orderBy(sql`${linkCodes.id} desc`)
        .get();
    },
    useCode(codeId) {
      return db.delete(linkCodes).where(eq(linkCodes.id, codeId)).run().changes === 1;
    },
    identity(identityId) {
      return db
        .select({ identityId: chatIdentities.id, personId: chatIdentities.personId, channel: chatIdentities.channel })
        .from(chatIdentities)
        .where(eq(chatIdentities.id, identityId))
        .get();
    },
    footprint(personId) {
      const p = db
        .select({ forgottenAt: people.forgottenAt, personalEnc: people.personalEnc, idHash: people.idHash })
        .from(people)
        .where(eq(people.id, personId))
        .get();
      return {
        forgotten: !p || p.forgottenAt !== null,
        personal: Boolean(p && (p.personalEnc ?? p.idHash)),
        enrolments: countOf(db.select({ n: count() }).from(enrolments).where(eq(enrolments.personId, personId)).all()),
        certificates: countOf(db.select({ n: count() }).from(certificates).where(eq(certificates.personId, personId)).all()),
        staffRoles: countOf(db.select({ n: count() }).from(staff).where(eq(staff.personId, personId)).all()),
      };
    },
    moveIdentities(fromPersonId, toPersonId) {
      return db
        .update(chatIdentities)
        .set({ personId: toPersonId })
        .where(eq(chatIdentities.personId, fromPersonId))
        .returning({ id: chatIdentities.id })
        .all()
        .map((r) => r.id);
    },
    dropPerson(personId) {
      db.delete(linkCodes).where(eq(linkCodes.personId, personId)).run();
      // A person without enrolments has only welcome-type messages at most; they would go nowhere now.
      db.delete(outbox).where(eq(outbox.personId, personId)).run();
      // Any other reference (a plan, an invite) makes this fail and the link roll back, never dangle.
      db.delete(people).where(eq(people.id, personId)).run();
    },
    recentFailures(identityId, since) {
      return countOf(
        db
          .select({ n: count() })
          .from(auditLog)
          .where(
            and(eq(auditLog.entity, "chat_identity"), eq(auditLog.entityId, String(identityId)), eq(auditLog.action, "link.failed"), gt(auditLog.at, since)),
          )
          .all(),
      );
    },
  };
}

/**
 * Six-digit codes (typed on a phone, read aloud) hashed with a key derived from the data key, so a
 * copied database alone does not tell which codes are live.
 * @example const maker = createLinkCodeMaker(dataKey.key); maker.hash(maker.generate())
 */
export function createLinkCodeMaker(dataKey: Buffer): LinkCodeMaker {
  const key = Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "jiangyin-training-bot/v1/link-code-hash", 32));
  return {
    generate: () => String(randomInt(0, 1_000_000)).padStart(6, "0"),
    hash: (code) => createHmac("sha256", key).update(code.normalize("NFKC").replace(/\D/g, ""), "utf8").digest("hex"),
  };
}
