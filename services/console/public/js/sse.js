// Server-Sent Events over fetch: EventSource cannot send the Authorization header.

/** Yields `{ id, event, data }` from a text/event-stream body; comments and `retry:` are skipped. */
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let match;
      while ((match = /\r\n|\r|\n/.exec(buffer))) {
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (event.data.length) yield { id: event.id, event: event.event ?? 'message', data: event.data.join('\n') };
          event = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') event.data.push(text);
        else if (name === 'id') event.id = text;
        else if (name === 'event') event.event = text;
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * Follows a stream of job status changes until `signal` aborts, reconnecting after a drop with
 * `Last-Event-ID` so no change is missed. `onState` hears 'live' and 'reconnecting'.
 */
export async function followJobEvents(path, { token, signal, onEvent, onState, once = false }) {
  let lastEventId;
  while (!signal.aborted) {
    try {
      const headers = { accept: 'text/event-stream', authorization: `Bearer ${token()}` };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetch(`/api${path}`, { headers, signal, cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      onState('live');
      for await (const event of readEvents(response.body)) {
        if (event.id) lastEventId = event.id;
        onEvent(JSON.parse(event.data));
      }
      // The one-job stream ends after the job's final status.
      if (once) return;
    } catch (error) {
      if (signal.aborted) return;
      if (!token()) return;
    }
    onState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
