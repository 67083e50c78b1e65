// @ts-expect-error -- the package ships no type declarations; its one function is typed below
import parseTextFormat from 'parse-prometheus-text-format';

/** The parser's output: metric families (their samples are not used here). */
const parsePrometheusTextFormat = parseTextFormat as (text: string) => { name: string }[];

export interface MetricsScrape {
  /** The names of every metric family in the scrape. */
  names: string[];
  /**
   * The sum of the samples named `name` whose labels include `labels`, or 0 when none match.
   * For a histogram, ask for `<name>_count` or `<name>_sum`.
   */
  value(name: string, labels?: Record<string, string>): number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Reads `GET <baseUrl>/metrics` and checks it with a Prometheus text-format parser (not our
 * own code), so a malformed exposition fails the test. Values are then read from the sample
 * lines themselves, because that parser drops the labels of histogram samples.
 */
export async function scrapeMetrics(baseUrl: string): Promise<MetricsScrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain')) throw new Error(`GET /metrics sent ${contentType}`);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  const samples = text.split('\n').flatMap(parseSample);
  return {
    names: families.map((family) => family.name),
    value(name, labels = {}) {
      return samples
        .filter((sample) => sample.name === name)
        .filter((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

/** `name{a="1",b="2"} 3` (label values without escaped quotes, as ours are). */
function parseSample(line: string): Sample[] {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
  if (!match) return [];
  const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
  return [{ name: match[1] as string, labels, value: Number(match[3]) }];
}
