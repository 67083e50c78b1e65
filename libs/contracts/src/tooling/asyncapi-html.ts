/**
 * A self-contained HTML page for an AsyncAPI 3 document: a table of contents and, per channel,
 * its description, producer, payload schema and example. No scripts, no network: the page is
 * committed beside the JSON (`docs/asyncapi.html`) and readable from a checkout.
 */
export function renderAsyncApiHtml(document: Record<string, unknown>): string {
  const info = document['info'] as { title: string; version: string; description?: string };
  const channels = Object.entries((document['channels'] ?? {}) as Record<string, Channel>);
  const operations = Object.values((document['operations'] ?? {}) as Record<string, Operation>);
  const producerOf = (type: string) =>
    operations.filter((op) => op.action === 'send' && op.channel.$ref === `#/channels/${type}`).map((op) => op['x-producer'] ?? '');
  const toc = channels.map(([type]) => `<li><a href="#${escape(type)}"><code>${escape(type)}</code></a></li>`).join('\n');
  const sections = channels
    .map(([type, channel]) => {
      const message = Object.values(channel.messages)[0];
      return `<section id="${escape(type)}">
<h2><code>${escape(type)}</code></h2>
<p>${escape(channel.description ?? '')}</p>
<p><strong>Producer:</strong> ${producerOf(type).map(escape).join(', ') || '—'}</p>
<details><summary>Payload schema (CloudEvents envelope)</summary><pre>${escape(JSON.stringify(message?.payload, null, 2))}</pre></details>
<details open><summary>Example</summary><pre>${escape(JSON.stringify(message?.examples?.[0]?.payload, null, 2))}</pre></details>
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(info.title)} ${escape(info.version)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
pre { background: #f5f5f5; padding: 1rem; overflow-x: auto; font-size: 0.85rem; }
section { border-top: 1px solid #ddd; margin-top: 2rem; }
</style>
</head>
<body>
<h1>${escape(info.title)} <small>${escape(info.version)}</small></h1>
<p>${escape(info.description ?? '')}</p>
<p>Generated from <code>docs/asyncapi.json</code> by <code>npm run asyncapi</code>.</p>
<ul>
${toc}
</ul>
${sections}
</body>
</html>
`;
}

interface Channel {
  description?: string;
  messages: Record<string, { payload?: unknown; examples?: { payload?: unknown }[] }>;
}

interface Operation {
  action: string;
  channel: { $ref: string };
  'x-producer'?: string;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
