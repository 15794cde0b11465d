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
  action: A;
  message: string;
  groupId: string;
  userId: string;
  recipients: Recipient[] = [];

  constructor(action: A, message: string, groupId = '', userId = '') {
    this.action = action;
    this.message = message;
    this.groupId = groupId;
    this.userId = userId;
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
