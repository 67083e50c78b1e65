// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time.
import { readFileSync } from 'node:fs';

export function summarizeProfile(file, top = 30) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFrame = new Map();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFrame.set(key, (byFrame.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, hits]) => ({ frame, selfPercent: Math.round((1000 * hits) / total) / 10 }));
}

if (process.argv[1]?.endsWith('profile.mjs')) {
  for (const { frame, selfPercent } of summarizeProfile(process.argv[2], Number(process.argv[3] ?? 30))) console.log(`${String(selfPercent).padStart(5)} %  ${frame}`);
}
