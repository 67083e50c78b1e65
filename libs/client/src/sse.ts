/** One Server-Sent Event; comments and `retry:` lines are consumed by the reader. */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads an `text/event-stream` body into events, as the HTML spec's parser does for the
 * fields the jobs service sends (`id`, `event`, `data`, `retry`, comments).
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event.data.length > 0) yield { id: event.id, event: event.event ?? 'message', data: event.data.join('\n') };
          event = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data.push(value);
        else if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
