import { badArgument } from '../errors';

/**
 * Who a message goes to. The server starts from every `group`/`user` selection (or from everyone
 * when there is none), then removes `allButUser`/`allButGroup` matches. See docs/protocol.md.
 */
export const RECIPIENT_TYPES = ['group', 'user', 'allButUser', 'allButGroup'] as const;

/** One of {@link RECIPIENT_TYPES}. */
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** One addressee of a message. */
export interface Recipient {
  type: RecipientType;
  value: string;
}

export const isRecipientType = (type: unknown): type is RecipientType =>
  (RECIPIENT_TYPES as readonly unknown[]).includes(type);

/** Builds a recipient, throwing an {@link ArgumentError} that names the valid types. */
export function createRecipient(value: unknown, type: unknown): Recipient {
  if (!isRecipientType(type)) throw badArgument('The recipient type', `one of ${RECIPIENT_TYPES.join(', ')}`, type);
  if (typeof value !== 'string') throw badArgument('The recipient value', 'a string (the group or user id)', value);
  return { type, value };
}
