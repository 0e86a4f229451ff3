// A person's name, resident ID number and mobile number are sealed together, as one AES-GCM ciphertext:
// one cipher per enrolment rather than three (each cost about as much as one of the enrolment's SQL
// statements), and staff always read the three together (the roster, §2.5.2).
import { z } from "zod";
import type { PersonalDataCipher } from "./stores.js";

/** The personal data of one person, in the clear. */
export interface Personal {
  name: string;
  idNumber: string;
  phone: string;
}

const personalSchema = z.strictObject({ name: z.string(), idNumber: z.string(), phone: z.string() });

/**
 * The ciphertext of a person's personal data.
 * @example const sealed = sealPersonal(cipher, { name: "张三", idNumber: "320281199001011233", phone: "13812345678" })
 */
export function sealPersonal(cipher: PersonalDataCipher, p: Personal): string {
  return cipher.encrypt(JSON.stringify({ name: p.name, idNumber: p.idNumber, phone: p.phone }));
}

/**
 * The personal data in a `sealPersonal` ciphertext.
 * @example openPersonal(cipher, sealed).phone // "13812345678"
 */
export function openPersonal(cipher: PersonalDataCipher, sealed: string): Personal {
  return personalSchema.parse(JSON.parse(cipher.decrypt(sealed)));
}
