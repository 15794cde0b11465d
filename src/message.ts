import type { Envelope } from './protocol/envelope';
import { createRecipient, type Recipient, type RecipientType } from './protocol/recipients';

/**
 * An outgoing message as the vendor's `createBroadcastMessage()` returns it: the envelope fields
 * plus `addRecipient()`. `JSON.stringify` of it is the wire envelope.
 *
 * @example
 * const msg = socket.createBroadcastMessage('broadcastchatmessage', 'hello');
 * msg.addRecipient('room-1', 'group');
 * socket.send(msg);
 */
export class WebConnectionMessage<A extends string = string> implements Envelope<A> {
  [extra: string]: unknown;
  // Declared, not class fields: fields would be defined one by one (as undefined) before the
  // constructor assigns them, on the hot path of every send. Assigned here in wire order.
  declare action: A;
  declare message: string;
  declare groupId: string;
  declare userId: string;
  declare recipients: Recipient[];

  constructor(action: A, message: string, groupId = '', userId = '') {
    this.action = action;
    this.message = message;
    this.groupId = groupId;
    this.userId = userId;
    this.recipients = [];
  }

  /**
   * Addresses the message to a group or user. Throws a `TypeError` naming the valid types when
   * `type` is not one of them. Returns the message, so calls chain.
   * @param type `"group"`, `"user"`, `"allButUser"` or `"allButGroup"`
   */
  addRecipient(value: string, type: RecipientType): this {
    this.recipients.push(createRecipient(value, type));
    return this;
  }
}
