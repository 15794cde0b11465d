import type { Sendable } from './types';

/**
 * Bytes a frame takes in a socket's buffer, as `bufferedAmount` counts them: UTF-8 for text
 * (counted without encoding it), the size of binary data.
 */
export const byteLength = (data: Sendable): number => {
  if (typeof data !== 'string') return (data as Blob).size ?? (data as ArrayBufferLike).byteLength ?? 0;
  let n = data.length;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    // A surrogate pair: two units, four bytes.
    else if (c >= 0xd800 && c < 0xdc00 && (data.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (n += 2), i++;
    // The rest of the BMP, and a lone surrogate (encoded as U+FFFD): three bytes.
    else n += 2;
  }
  return n;
};
