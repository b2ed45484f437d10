import { z } from 'zod';

/**
 * Parameter pieces the service commands share. Bare MQTT payloads arrive as strings (`12`, not
 * `{"id": 12}`), so numeric ids also accept a string of digits and become numbers.
 */
export function idParam(what: string) {
  return z.union([z.number({ error: `${what} must be a positive whole number` }).int(`${what} must be a positive whole number`).positive(`${what} must be a positive whole number`), z.string().regex(/^[1-9]\d{0,15}$/, `${what} must be a positive whole number`).transform(Number)], {
    error: `${what} must be a positive whole number`,
  });
}

/** The empty parameter object of a parameterless command. */
export const noParams = z.object({}).strict();

/** A short free text (a message shown to a user, a reason). */
export function textParam(what: string, max = 500) {
  return z.string({ error: `${what} must be text` }).trim().min(1, `${what} must not be empty`).max(max, `${what} is longer than ${max} characters`);
}

/** On/off: a JSON boolean, or (for bare MQTT payloads) true/false/on/off in any case. */
export function flagParam(what: string) {
  return z.union([z.boolean(), z.string().regex(/^(true|false|on|off)$/i).transform((s) => /^(true|on)$/i.test(s))], { error: `${what} must be true or false` });
}
