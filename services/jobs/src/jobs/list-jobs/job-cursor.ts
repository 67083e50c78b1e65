import { decodeKeysetCursor, encodeKeysetCursor, type KeysetPosition } from '@conveyor/persistence';
import { InvalidCursorError } from '../jobs.errors';

export type JobCursor = KeysetPosition;

export const encodeCursor = encodeKeysetCursor;

export function decodeCursor(cursor: string): JobCursor {
  const position = decodeKeysetCursor(cursor);
  if (!position) throw new InvalidCursorError();
  return position;
}
